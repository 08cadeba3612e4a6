#!/usr/bin/env python3
"""The cost of the scheduler's queue queries at a 10,000-job backlog.

Builds the journal's `job` table with the indexes the schema gives it (v1 and v4: share), fills it with 10,000
claimed jobs in one busy inbox over 20 subfolders plus a quiet inbox, and 20,000 finished ones, and times the three
queries `JobScheduler.fill` makes (the queue list, a queue's next job by inbox, by subfolder), each with its query
plan. Uses Python's sqlite3, so it measures SQLite's work for the same SQL, not the Swift around it.

    python3 bench/queue-cost.py
"""
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

queries = [
    ("queue list", "SELECT inbox, top_folder, COUNT(*) AS n FROM job WHERE state = ? GROUP BY inbox, top_folder", ("claimed",)),
    (
        "next jobs of an inbox",
        "SELECT id FROM job WHERE state = ? AND inbox = ? ORDER BY priority DESC, ready_at, id LIMIT ?",
        ("claimed", "bulk", 9),
    ),
    (
        "next jobs of a subfolder",
        "SELECT id FROM job WHERE state = ? AND inbox = ? AND top_folder = ? ORDER BY priority DESC, ready_at, id LIMIT ?",
        ("claimed", "bulk", "user7", 9),
    ),
]
print(f"sqlite {sqlite3.sqlite_version}, 10,000 claimed and 20,000 done jobs")
for name, sql, args in queries:
    plan = db.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall()[0][3]
    count = 500
    start = time.perf_counter()
    for _ in range(count):
        db.execute(sql, args).fetchall()
    print(f"{name}: {(time.perf_counter() - start) / count * 1e3:.3f} ms per query ({plan})")
