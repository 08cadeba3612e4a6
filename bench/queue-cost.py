#!/usr/bin/env python3
"""The cost of the scheduler's queue queries at a 10,000-job backlog.

Builds the journal's `job` table with the indexes the schema gives it (v1 and v4: share), fills it with 10,000
claimed jobs in one busy inbox over 20 subfolders plus a quiet inbox, and 20,000 finished ones, and times the
queries `JobScheduler.fill` makes (the queue list, a queue's next job by inbox, by subfolder), each with its query
plan. The queue list is timed twice: counted per queue (how it was read before) and skipped through the index (the
SQL of `JobJournal.queuedFoldersSQL`, as it is read now). A queue's next job is read while 128 jobs are in flight:
all 129 entries the LIMIT allows (before), or only the first (now: the journal stops at the first job not in
flight). Uses Python's sqlite3, so it measures SQLite's work for the same SQL, not the Swift around it.

    python3 bench/queue-cost.py
"""
import os
import re
import sqlite3
import time

db = sqlite3.connect(":memory:")
db.executescript(
    """
    CREATE TABLE job (id INTEGER PRIMARY KEY AUTOINCREMENT, inbox TEXT NOT NULL, subpath TEXT NOT NULL,
                      name TEXT, priority INTEGER NOT NULL DEFAULT 0, ready_at REAL NOT NULL, state TEXT NOT NULL,
                      top_folder TEXT NOT NULL DEFAULT '');
    CREATE INDEX job_state_priority ON job (state, priority DESC, ready_at, id);
    CREATE INDEX job_inbox_queue ON job (state, inbox, priority DESC, ready_at, id);
    CREATE INDEX job_folder_queue ON job (state, inbox, top_folder, priority DESC, ready_at, id);
    """
)
rows = []
for i in range(10_000):
    inbox = "bulk" if i < 9_990 else "quiet"
    top = f"user{i % 20}"
    rows.append((inbox, f"{top}/x", f"j{i}", 0, 1e9 + i, "claimed", top))
for i in range(20_000):
    rows.append(("bulk", "u/x", f"d{i}", 0, 1e9 + i, "done", "u"))
db.executemany(
    "INSERT INTO job (inbox, subpath, name, priority, ready_at, state, top_folder) VALUES (?, ?, ?, ?, ?, ?, ?)", rows
)
db.execute("ANALYZE")

# The SQL the journal runs, read from its source so that the two cannot drift apart.
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "Journal", "JobJournal+Queries.swift")
with open(SOURCE) as handle:
    SKIP_SCAN = re.search(r'static let queuedFoldersSQL = """\n(.*?)"""', handle.read(), re.S).group(1)
COUNTED = "SELECT inbox, top_folder, COUNT(*) AS n FROM job WHERE state = ? GROUP BY inbox, top_folder"
BY_INBOX = "SELECT id FROM job WHERE state = ? AND inbox = ? ORDER BY priority DESC, ready_at, id LIMIT ?"
BY_FOLDER = "SELECT id FROM job WHERE state = ? AND inbox = ? AND top_folder = ? ORDER BY priority DESC, ready_at, id LIMIT ?"
queries = [
    ("queue list, counted (before)", COUNTED, ("claimed",), "all"),
    ("queue list, skipped through (now)", SKIP_SCAN, ("claimed",), "all"),
    ("next job of an inbox, all 129 read (before)", BY_INBOX, ("claimed", "bulk", 129), "all"),
    ("next job of an inbox, first read (now)", BY_INBOX, ("claimed", "bulk", 129), "one"),
    ("next job of a subfolder, all 129 read (before)", BY_FOLDER, ("claimed", "bulk", "user7", 129), "all"),
    ("next job of a subfolder, first read (now)", BY_FOLDER, ("claimed", "bulk", "user7", 129), "one"),
]
counted = sorted(row[:2] for row in db.execute(COUNTED, ("claimed",)))
assert sorted(db.execute(SKIP_SCAN, ("claimed",)).fetchall()) == counted, "the two queue lists differ"
print(f"sqlite {sqlite3.sqlite_version}, 10,000 claimed and 20,000 done jobs")
for name, sql, args, rows in queries:
    plan = "; ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall() if row[3].startswith("SEARCH"))
    count = 500
    start = time.perf_counter()
    for _ in range(count):
        cursor = db.execute(sql, args)
        cursor.fetchall() if rows == "all" else cursor.fetchone()
        cursor.close()
    print(f"{name}: {(time.perf_counter() - start) / count * 1e3:.3f} ms per query ({plan})")
