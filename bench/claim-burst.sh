#!/usr/bin/env bash
# Drop-to-claim under a burst: N pairs (default 2,000) moved into a running daemon's inbox at once, with
# processing held to one job in flight, so the figure is the intake's own (watch, settle, claim, journal).
# Prints the seconds until every pair is claimed, then the daemon's RSS (KiB) and CPU time.
# Usage: bench/claim-burst.sh [N] [debug|release]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-2000}
mode=${2:-release}
swift build -c "$mode" --product facedrop >/dev/null
binary=".build/$mode/facedrop"
root=$(mktemp -d /tmp/facedrop-claim-burst.XXXXXX)
trap 'kill -TERM ${daemon:-0} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$root"' EXIT
mkdir -p "$root/inbox" "$root/outbox" "$root/state" "$root/source"
cat > "$root/facedrop.toml" <<TOML
[api]
base_url = "emulator"
max_in_flight = 1
[state]
dir = "$root/state"
[[inbox]]
name = "burst"
path = "$root/inbox"
outbox = "$root/outbox"
model = "pulid-base"
settle = 0.3
TOML
"$binary" run --config "$root/facedrop.toml" --log-level info 2> "$root/log" &
daemon=$!
sleep 1
for i in $(seq 1 "$count"); do
    cp Tests/FacedropTestSupport/Fixtures/astronaut-face-small.jpg "$root/source/f$i.jpg"
    echo '{"prompt":"a portrait"}' > "$root/source/f$i.json"
done
start=$(date +%s.%N)
find "$root/source" -type f -exec mv -t "$root/inbox/" {} +
claimed=0
for _ in $(seq 1 2400); do
    claimed=$(grep -c " claimed" "$root/log" || true)
    [[ $claimed -ge $count ]] && break
    sleep 0.25
done
echo "claimed $claimed of $count pairs in $(echo "$(date +%s.%N) - $start" | bc) s"
echo "daemon RSS KiB and CPU time: $(ps -o rss=,cputime= -p $daemon)"
