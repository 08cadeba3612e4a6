#!/usr/bin/env bash
# Instructions per job, counted by callgrind (repeatable, unlike CPU time on a shared machine): the release
# daemon takes N pairs (default 100) from drop to done/ against a local segmind-emulator with no model
# time; the counters are zeroed once the daemon is ready and dumped after the last result, so start-up is
# left out. Prints the instructions per job and the functions of facedrop's modules that cost the most,
# inclusive, per job (bench/lib/callgrind_report.py). Bounded: every wait has a limit; the daemon and the
# emulator are stopped however it ends.
#   bench/callgrind-per-job.sh [N]
# With CALLGRIND_KEEP=FOLDER, the raw profile is copied there too (for callgrind_annotate or kcachegrind).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-100}
command -v valgrind >/dev/null || {
    echo "installing valgrind" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends valgrind >/dev/null
}
swift build -c release --static-swift-stdlib --product facedrop >/dev/null
swift build -c release --product segmind-emulator >/dev/null
bin="$(swift build -c release --show-bin-path)"
root=$(mktemp -d /tmp/facedrop-callgrind.XXXXXX)
trap 'kill -TERM ${daemon:-0} ${emulator:-0} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$root"' EXIT
mkdir -p "$root/inbox" "$root/outbox" "$root/state" "$root/stage"
# Valgrind 3.19 (Debian 12) cannot read the DWARF 5 the toolchain writes: profile a copy without it (the
# symbols stay, so functions keep their names).
strip --strip-debug -o "$root/facedrop" "$bin/facedrop"
"$bin/segmind-emulator" --host 127.0.0.1 --port 0 --api-key callgrind --time-scale 0.001 --queue-seconds 0 \
    --credits 1000000 --max-output-side 64 --port-file "$root/port" >"$root/emulator.log" 2>&1 &
emulator=$!
for _ in $(seq 100); do [ -s "$root/port" ] && break; sleep 0.1; done
echo callgrind >"$root/key"
chmod 600 "$root/key"
cat >"$root/facedrop.toml" <<TOML
[api]
base_url = "http://127.0.0.1:$(cat "$root/port")"
key_file = "$root/key"
requests_per_minute = 10000
request_burst = 10000
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
valgrind --tool=callgrind --callgrind-out-file="$root/callgrind.out" \
    "$root/facedrop" run --config "$root/facedrop.toml" --log-level notice >"$root/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 600); do grep -q "facedrop is ready" "$root/daemon.log" && break; sleep 0.2; done
grep -q "facedrop is ready" "$root/daemon.log" || { echo "the daemon did not start:" >&2; tail "$root/daemon.log" >&2; exit 1; }
sleep 2
callgrind_control -z "$daemon" >/dev/null
face=Tests/FacedropTestSupport/Fixtures/astronaut-face-small.jpg
for n in $(seq "$count"); do
    cp "$face" "$root/stage/job$n.jpg"
    echo '{"prompt":"a portrait"}' >"$root/stage/job$n.json"
done
mv "$root"/stage/* "$root/inbox/"
for _ in $(seq 1200); do
    [ "$(find "$root/outbox/done" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" -ge "$count" ] && break
    sleep 0.5
done
done_count=$(find "$root/outbox/done" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
callgrind_control -d "$daemon" >/dev/null
sleep 1
echo "machine: $(nproc) cores, $(uname -srm); valgrind $(valgrind --version); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "jobs done: $done_count of $count"
python3 bench/lib/callgrind_report.py "$root"/callgrind.out.* "$done_count"
if [ -n "${CALLGRIND_KEEP:-}" ]; then
    mkdir -p "$CALLGRIND_KEEP"
    cp "$root"/callgrind.out.* "$CALLGRIND_KEEP/"
fi
