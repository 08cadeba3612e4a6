#!/usr/bin/env bash
# The budget gate's month totals at a large month: what adding up every `spend` row of the month costs against
# adding up the per-day sums (`spend_day`) the journal keeps. Makes a journal with facedrop's own schema
# (`facedrop status` creates and migrates it), inserts N spend rows (default 30,000; four inboxes, 28 days,
# one in ten still in flight) through the triggers, checks both sums agree, and prints the median time of each
# query over 20 runs. Uses the debug build (built if missing). Usage: bench/spend-totals.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows=${1:-30000}
[[ $rows =~ ^[1-9][0-9]*$ ]] || {
    echo "usage: bench/spend-totals.sh [N]" >&2
    exit 64
}
[[ -x .build/debug/facedrop ]] || swift build --product facedrop >/dev/null
root=$(mktemp -d /tmp/facedrop-spend.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/inbox" "$root/outbox" "$root/state"
cat >"$root/facedrop.toml" <<TOML
[api]
base_url = "emulator"
[state]
dir = "$root/state"
[[inbox]]
name = "bench"
path = "$root/inbox"
outbox = "$root/outbox"
TOML
.build/debug/facedrop status --config "$root/facedrop.toml" >/dev/null
python3 - "$root/state/journal.sqlite" "$rows" <<'PY'
import sqlite3, statistics, sys, time
path, count = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
with db:
    db.executemany(
        "INSERT INTO spend (job_id, inbox, day, month, estimate, cost, reserved_at, booked_at) VALUES (?, ?, ?, '2027-01', 0.036, ?, 1, 1)",
        ((n, f"inbox-{n % 4}", f"2027-01-{1 + (n // 4) % 28:02d}", None if n % 10 == 0 else 0.03) for n in range(1, count + 1)))
queries = {
    "every row of the month (before)": """SELECT inbox, TOTAL(CASE WHEN day = '2027-01-15' AND cost IS NOT NULL THEN cost END),
        TOTAL(CASE WHEN day = '2027-01-15' AND cost IS NULL THEN estimate END), TOTAL(cost), TOTAL(CASE WHEN cost IS NULL THEN estimate END)
        FROM spend WHERE month = '2027-01' AND job_id IS NOT 5 GROUP BY inbox ORDER BY inbox""",
    "per-day sums (spend_day)": """SELECT inbox, TOTAL(IIF(day = '2027-01-15', booked, 0)) / 1e6, TOTAL(IIF(day = '2027-01-15', in_flight, 0)) / 1e6,
        TOTAL(booked) / 1e6, TOTAL(in_flight) / 1e6 FROM spend_day WHERE month = '2027-01' GROUP BY inbox ORDER BY inbox""",
}
answers = []
for name, sql in queries.items():
    times = []
    for _ in range(20):
        start = time.perf_counter()
        answer = db.execute(sql).fetchall()
        times.append(time.perf_counter() - start)
    answers.append(answer)
    print(f"{name}: median {1000 * statistics.median(times):.3f} ms over 20 runs, {count} spend rows")
day_rows = db.execute("SELECT COUNT(*) FROM spend_day").fetchone()[0]
print(f"spend_day rows: {day_rows}")
# The sums agree to well within a micro-dollar per row (the old sum adds doubles; spend_day adds whole micro-dollars).
for before, after in zip(*answers):
    assert before[0] == after[0] and all(abs(x - y) < 1e-6 * count for x, y in zip(before[1:], after[1:])), (before, after)
print("both sums agree")
PY
