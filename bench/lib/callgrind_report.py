"""Instructions per job from a callgrind dump of the daemon: the total, and the functions of facedrop's own
modules (and the libraries they call into by name) that cost the most, inclusive, per job.

    python3 bench/lib/callgrind_report.py CALLGRIND_OUT JOBS [TOP]
"""

from __future__ import annotations

import collections
import re
import subprocess
import sys

# Mangled module prefixes of the daemon's own modules and of GRDB, whose costs are worth reading apart.
OWN = re.compile(r"^\$s(6Daemon|7Journal|8HotFolder|6Outbox|10SegmindAPI|8CurlHTTP|11JobPipeline|10Scheduling"
                 r"|10StrictJSON|12ImageFormats|7Hashing|12InboxWatcher|10FileSystem|4GRDB|14SegmindCatalog)")


def costs(path: str) -> tuple[int, collections.Counter]:
    """The dump's total, and each function's inclusive cost (calls to itself left out)."""
    names: dict[str, str] = {}
    inclusive: collections.Counter = collections.Counter()
    total = 0
    function = callee = None
    in_call = False

    def name(text: str) -> str:
        match = re.match(r"\((\d+)\)(?: (.*))?", text)
        if not match:
            return text
        if match.group(2):
            names[match.group(1)] = match.group(2)
        return names.get(match.group(1), text)

    with open(path, errors="replace") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("fn="):
                function = name(line[3:])
            elif line.startswith("cfn="):
                callee = name(line[4:])
            elif line.startswith("calls="):
                in_call = True
            elif line and (line[0].isdigit() or line[0] in "+-*") and function:
                fields = line.split()
                if len(fields) < 2:
                    continue
                cost = int(fields[1])
                if in_call:
                    if callee != function:
                        inclusive[function] += cost
                    in_call = False
                else:
                    inclusive[function] += cost
                    total += cost
    return total, inclusive


def demangle(symbols: list[str]) -> list[str]:
    try:
        result = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(symbols),
                                capture_output=True, text=True, check=True)
        return result.stdout.split("\n")[:len(symbols)]
    except (OSError, subprocess.CalledProcessError):
        return symbols


def main() -> int:
    path, jobs = sys.argv[1], int(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    if jobs <= 0:
        print("no job finished", file=sys.stderr)
        return 1
    total, inclusive = costs(path)
    print(f"instructions per job: {total / jobs:,.0f} ({total:,} for {jobs} jobs)")
    own = [(symbol, cost) for symbol, cost in inclusive.items()
           if OWN.search(symbol) and "partial apply" not in symbol]
    own.sort(key=lambda item: -item[1])
    seen: set[str] = set()
    rows = []
    for (symbol, cost), readable in zip(own, demangle([symbol for symbol, _ in own[:top * 4]])):
        # Async functions appear once per resumption; keep the first of each readable name.
        if readable in seen or readable.startswith("partial apply"):
            continue
        seen.add(readable)
        rows.append((cost, readable))
        if len(rows) == top:
            break
    print("inclusive instructions per job, facedrop's modules and GRDB:")
    for cost, readable in rows:
        print(f"  {cost / jobs:>12,.0f}  {100 * cost / total:5.1f} %  {readable[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
