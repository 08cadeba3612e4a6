#!/usr/bin/env bash
# The Segmind client's requests per second against segmind-emulator on loopback, over one
# connection and over many. Release builds; bounded request counts; the emulator is stopped at the end.
#   bench/client-throughput.sh [requests]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
requests="${1:-4000}"

scripts/install-deps
swift build -c release --product segmind-emulator
swift build -c release --product facedrop-bench
bin="$(swift build -c release --show-bin-path)"

workdir="$(mktemp -d)"
key="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
"$bin/segmind-emulator" --port 0 --api-key "$key" --port-file "$workdir/port" >"$workdir/emulator.log" 2>&1 &
emulator=$!
trap 'kill -TERM $emulator 2>/dev/null || true; wait $emulator 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 1 100); do [ -s "$workdir/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(tr -d '[:space:]' <"$workdir/port")"

echo "machine: $(nproc) cores, $(uname -srm); libcurl $(pkg-config --modversion libcurl); $(date -u +%Y-%m-%dT%H:%MZ)"
for endpoint in credits status; do
    for concurrency in 1 16; do
        "$bin/facedrop-bench" --base-url "$base" --api-key "$key" --requests "$requests" \
            --concurrency "$concurrency" --endpoint "$endpoint"
    done
done
