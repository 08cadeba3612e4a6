#!/usr/bin/env bash
# Syncs per job: how many fsync, fdatasync, sync_file_range and syncfs calls `facedrop run` makes for each
# pair it takes from drop to done/, and on which files and folders.
#
# Starts segmind-emulator (127.0.0.1, fast run times) and the daemon under strace, drops N pairs (default 50:
# the small face fixture and a `{"prompt":"x"}` sidecar, each renamed into the inbox whole), waits until N job
# folders are in done/ and the daemon has journaled each job's end, stops it with SIGTERM, and prints the calls
# per job by call and by path (job-specific names replaced by <job>, <claim>, …). Calls made before the first
# drop (start-up) are shown apart and left out of the per-job figures; the shutdown's are counted in.
# With --all, every system call is traced and counted the same way (by call and by path).
# Uses the debug build (built if missing), or the facedrop binary FACEDROP_BINARY names (to compare two builds).
# Bounded: gives up after 10 minutes.
# Usage: bench/syncs-per-job.sh [N] [--all]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-50}
calls='fsync|fdatasync|sync_file_range|syncfs'
trace=(-e trace=fsync,fdatasync,sync_file_range,syncfs)
if [[ ${2:-} == --all ]]; then
    calls='[a-z_0-9]+'
    trace=()
elif [[ -n ${2:-} ]]; then
    count=x
fi
[[ $count =~ ^[1-9][0-9]*$ ]] || {
    echo "usage: bench/syncs-per-job.sh [N] [--all]" >&2
    exit 64
}
command -v strace >/dev/null || {
    echo "strace is needed (apt-get install strace)" >&2
    exit 69
}
if [[ ! -x .build/debug/facedrop || ! -x .build/debug/segmind-emulator ]]; then
    swift build --product facedrop >/dev/null
    swift build --product segmind-emulator >/dev/null
fi
face=Tests/FacedropTestSupport/Fixtures/astronaut-face-small.jpg
root=$(mktemp -d /tmp/facedrop-syncs.XXXXXX)
emulator=0
tracer=0
daemon=0
cleanup() {
    # The daemon first (strace ends with it), then the emulator.
    for pid in "$daemon" "$emulator"; do
        [[ $pid != 0 ]] && kill -TERM "$pid" 2>/dev/null || true
    done
    if [[ $tracer != 0 ]]; then
        timeout 30 tail --pid="$tracer" -f /dev/null || kill -KILL "$tracer" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT
mkdir -p "$root/inbox" "$root/outbox" "$root/state" "$root/source"

# Waits (at most `limit` tenths of a second) until `test` succeeds.
wait_until() {
    local limit=$1 what=$2
    shift 2
    for _ in $(seq 1 "$limit"); do
        "$@" && return 0
        sleep 0.1
    done
    echo "gave up waiting for $what" >&2
    exit 1
}

key="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
.build/debug/segmind-emulator --host 127.0.0.1 --port 0 --api-key "$key" --time-scale 0.001 --queue-seconds 0 \
    --credits 1000000 --max-output-side 64 --port-file "$root/emulator.port" >"$root/emulator.log" 2>&1 &
emulator=$!
wait_until 300 "the emulator's port" test -s "$root/emulator.port"

(
    umask 077
    echo "$key" >"$root/api-key"
)
cat >"$root/facedrop.toml" <<TOML
[api]
base_url = "http://127.0.0.1:$(cat "$root/emulator.port")"
key_file = "$root/api-key"
requests_per_minute = 10000
max_in_flight = 8
run_time_scale = 0.001
[state]
dir = "$root/state"
[[inbox]]
name = "bench"
path = "$root/inbox"
outbox = "$root/outbox"
model = "flux-pulid"
settle = 0.2
TOML

strace -f -y -ttt "${trace[@]}" -o "$root/strace" \
    "${FACEDROP_BINARY:-.build/debug/facedrop}" run --config "$root/facedrop.toml" --log-level info 2>"$root/daemon.log" &
tracer=$!
wait_until 600 "the daemon to be ready" grep -qs "facedrop is ready" "$root/daemon.log"
# SIGTERM goes to the daemon itself, strace's child; strace ends when it does.
daemon=$(pgrep -P "$tracer" -x facedrop)

for i in $(seq -f "%05g" 1 "$count"); do
    cp "$face" "$root/source/p$i.jpg"
    echo '{"prompt":"x"}' >"$root/source/p$i.json"
done
dropped_at=$(date +%s.%N)
for i in $(seq -f "%05g" 1 "$count"); do
    mv "$root/source/p$i.jpg" "$root/inbox/"
    mv "$root/source/p$i.json" "$root/inbox/"
done

done_folders() { find "$root/outbox/done" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }
all_done() { [[ $(done_folders) -ge $count ]]; }
all_journaled() { [[ $(grep -c ' info done folder=' "$root/daemon.log" || true) -ge $count ]]; }
wait_until 6000 "$count job folders in done/" all_done
wait_until 600 "$count jobs journaled as done" all_journaled
if grep -q . <(find "$root/outbox/failed" -mindepth 1 -maxdepth 1 2>/dev/null); then
    echo "some jobs failed:" >&2
    ls "$root/outbox/failed" >&2
    exit 1
fi
kill -TERM "$daemon"
daemon=0
wait "$tracer" || true
tracer=0

# One line per call: "<time> <call> <path>", paths relative to the run's folder, job-specific names generalised.
awk -v calls="^($calls)\\(" '$3 ~ calls {
        call = $3; sub(/\(.*/, "", call)
        path = $3; sub(/^[^<]*</, "", path); sub(/>.*/, "", path)
        print $2, call, path
    }' "$root/strace" |
    sed -E -e "s#$root/##" \
        -e 's#\.facedrop/[0-9TZ]+-[0-9a-f]+(\.discard)?#.facedrop/<claim>\1#' \
        -e 's#\.facedrop-staging/[0-9A-F-]{36}#.facedrop-staging/<staged>#' \
        -e 's#spool/[0-9]+#spool/<job>#' \
        -e 's#p[0-9]{5}#<job>#g' \
        -e 's#\.[0-9A-F-]{36}\.tmp#.<uuid>.tmp#' >"$root/calls"

startup=$(awk -v t="$dropped_at" '$1 < t' "$root/calls" | wc -l)
awk -v t="$dropped_at" '$1 >= t { print $2, $3 }' "$root/calls" >"$root/per-job"
total=$(wc -l <"$root/per-job")

echo "facedrop $(git rev-parse --short HEAD 2>/dev/null || echo '?'): $count jobs, done/ has $(done_folders)"
echo "start-up (before the first drop, not counted below): $startup calls"
printf '%s calls from the first drop to the stop: %s per job\n' "$total" "$(echo "scale=2; $total / $count" | bc)"
echo
echo "per job, by call:"
awk '{ print $1 }' "$root/per-job" | sort | uniq -c |
    awk -v n="$count" '{ printf "  %6.2f  %s\n", $1 / n, $2 }'
echo
echo "per job, by call and path:"
sort "$root/per-job" | uniq -c | sort -rn |
    awk -v n="$count" '{ printf "  %6.2f  %-9s %s\n", $1 / n, $2, $3 }'
