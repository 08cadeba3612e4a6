#!/usr/bin/env bash
# Conformance with Segmind's official Python SDK: builds segmind-emulator, starts it on a free
# port with a throwaway key and a small time scale, runs sdk_conformance.py against it with
# segmind==1.3.0 from PyPI (in conformance/.venv), stops it, and exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'segmind==1.3.0'

(cd "$root" && swift build --product segmind-emulator)
bin="$(cd "$root" && swift build --product segmind-emulator --show-bin-path)/segmind-emulator"

key="conformance-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
workdir="$(mktemp -d)"
port_file="$workdir/port"
"$bin" --host 127.0.0.1 --port 0 --api-key "$key" --time-scale 0.01 --queue-seconds 1 \
    --port-file "$port_file" >"$workdir/emulator.log" 2>&1 &
emulator=$!
cleanup() {
    kill -TERM "$emulator" 2>/dev/null || true
    wait "$emulator" 2>/dev/null || true
    rm -rf "$workdir"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    [ -s "$port_file" ] && break
    kill -0 "$emulator" 2>/dev/null || { cat "$workdir/emulator.log" >&2; exit 1; }
    sleep 0.1
done
[ -s "$port_file" ] || { echo "segmind-emulator did not start" >&2; exit 1; }
port="$(tr -d '[:space:]' <"$port_file")"

SEGMIND_CONFORMANCE_KEY="$key" "$venv/bin/python" "$here/sdk_conformance.py" \
    --base "http://127.0.0.1:$port" --fixtures "$root/Tests/FacedropTestSupport/Fixtures"
