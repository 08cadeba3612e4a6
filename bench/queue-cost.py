#!/usr/bin/env python3
"""The cost of the scheduler's queue queries at a 10,000-job backlog.

Builds the journal's `job` table twice, each with 10,000 claimed jobs in one busy inbox over 20 subfolders plus a
quiet inbox, and 20,000 finished ones: with the share indexes as they were first (v4: every job, the state first)
and as the schema gives them now (v11, read from `Schema.swift`: the claimed jobs only). Then it times the queries
`JobScheduler.fill` makes (the queue list, a queue's next job by inbox, by subfolder), each with its query plan, in
their first form and as the journal runs them now (read from `JobJournal+Queries.swift`). The queue list was
counted per queue; now it skips through the index. A queue's next job is read while 128 jobs are in flight: all
129 entries the LIMIT allows (first form), or only the first (now: the journal stops at the first job not in
flight). Both forms must give the same answers. Uses Python's sqlite3, so it measures SQLite's work for the same
SQL, not the Swift around it.

    python3 bench/queue-cost.py
"""
import os
import re
import sqlite3
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "..", "Sources", "Journal")
TABLE = """
    CREATE TABLE job (id INTEGER PRIMARY KEY AUTOINCREMENT, inbox TEXT NOT NULL, subpath TEXT NOT NULL,
                      name TEXT, priority INTEGER NOT NULL DEFAULT 0, ready_at REAL NOT NULL, state TEXT NOT NULL,
                      top_folder TEXT NOT NULL DEFAULT '');
    CREATE INDEX job_state_priority ON job (state, priority DESC, ready_at, id);
"""
# The share indexes before (v4: every job, the state first) and now (v11, read from the schema: claimed jobs only).
FULL_INDEXES = """
    CREATE INDEX job_inbox_queue ON job (state, inbox, priority DESC, ready_at, id);
    CREATE INDEX job_folder_queue ON job (state, inbox, top_folder, priority DESC, ready_at, id);
"""
with open(os.path.join(SOURCES, "Internal", "Schema.swift")) as handle:
    schema = handle.read()
PARTIAL_INDEXES = "\n".join(re.findall(r"CREATE INDEX job_(?:inbox|folder)_queue ON job \([^)]*\) WHERE state = 'claimed';", schema))
assert PARTIAL_INDEXES.count("CREATE INDEX") == 2, "the schema's share indexes are not where this script looks"


def journal(indexes: str) -> sqlite3.Connection:
    """A job table with the given share indexes: 10,000 claimed jobs in 21 queues, 20,000 finished ones."""
    db = sqlite3.connect(":memory:")
    db.executescript(TABLE + indexes)
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
    return db


before, now = journal(FULL_INDEXES), journal(PARTIAL_INDEXES)

# The SQL the journal runs, read from its source so that the two cannot drift apart.
with open(os.path.join(SOURCES, "JobJournal+Queries.swift")) as handle:
    source = handle.read()
SKIP_SCAN = re.search(r'static let queuedFoldersSQL = """\n(.*?)"""', source, re.S).group(1)
NEXT_IN_INBOX = re.search(r'static let nextInInboxSQL =\s*"([^"]*)"', source).group(1)
NEXT_IN_FOLDER = re.search(r'static let nextInFolderSQL =\s*"([^"]*)"', source).group(1)
COUNTED = "SELECT inbox, top_folder, COUNT(*) AS n FROM job WHERE state = ? GROUP BY inbox, top_folder"
BY_INBOX = "SELECT id FROM job WHERE state = ? AND inbox = ? ORDER BY priority DESC, ready_at, id LIMIT ?"
BY_FOLDER = "SELECT id FROM job WHERE state = ? AND inbox = ? AND top_folder = ? ORDER BY priority DESC, ready_at, id LIMIT ?"
queries = [
    ("queue list, counted (first form, full indexes)", before, COUNTED, ("claimed",), "all"),
    ("queue list, skipped through (now)", now, SKIP_SCAN, (), "all"),
    ("next job of an inbox, all 129 read (first form)", before, BY_INBOX, ("claimed", "bulk", 129), "all"),
    ("next job of an inbox, first read (now)", now, NEXT_IN_INBOX, ("bulk", 129), "one"),
    ("next job of a subfolder, all 129 read (first form)", before, BY_FOLDER, ("claimed", "bulk", "user7", 129), "all"),
    ("next job of a subfolder, first read (now)", now, NEXT_IN_FOLDER, ("bulk", "user7", 129), "one"),
]
counted = sorted(row[:2] for row in before.execute(COUNTED, ("claimed",)))
assert sorted(now.execute(SKIP_SCAN).fetchall()) == counted, "the two queue lists differ"
for old, new, args in ((BY_INBOX, NEXT_IN_INBOX, ("bulk", 129)), (BY_FOLDER, NEXT_IN_FOLDER, ("bulk", "user7", 129))):
    assert before.execute(old, ("claimed",) + args).fetchall() == now.execute(new, args).fetchall(), "the next jobs differ"
print(f"sqlite {sqlite3.sqlite_version}, 10,000 claimed and 20,000 done jobs")
for name, db, sql, args, rows in queries:
    plan = "; ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall() if row[3].startswith("SEARCH"))
    count = 500
    start = time.perf_counter()
    for _ in range(count):
        cursor = db.execute(sql, args)
        cursor.fetchall() if rows == "all" else cursor.fetchone()
        cursor.close()
    print(f"{name}: {(time.perf_counter() - start) / count * 1e3:.3f} ms per query ({plan})")
