import GRDB

/// The journal's tables, one migration per released schema change; never edit a migration once shipped.
enum Schema {
    static let table = "job"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: jobs") { db in
            // Dates are REAL seconds since 1970, so averages and ordering stay plain SQL arithmetic.
            try db.execute(
                sql: """
                    CREATE TABLE job (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        inbox TEXT NOT NULL,
                        subpath TEXT NOT NULL,
                        name TEXT NOT NULL,
                        claimed_path TEXT NOT NULL UNIQUE,
                        face_path TEXT NOT NULL,
                        sidecar_path TEXT,
                        pose_path TEXT,
                        model TEXT,
                        priority INTEGER NOT NULL DEFAULT 0,
                        dropped_at REAL NOT NULL,
                        ready_at REAL NOT NULL,
                        state TEXT NOT NULL,
                        request_id TEXT,
                        status_url TEXT,
                        response_url TEXT,
                        submitted_at REAL,
                        polls INTEGER NOT NULL DEFAULT 0,
                        next_poll_at REAL,
                        deadline REAL,
                        completed_at REAL,
                        spool_path TEXT,
                        outputs TEXT NOT NULL DEFAULT '[]',
                        error_code TEXT,
                        error_record TEXT,
                        result_folder TEXT,
                        updated_at REAL NOT NULL
                    );
                    CREATE INDEX job_state_priority ON job (state, priority DESC, ready_at, id);
                    """
            )
        }
        migrator.registerMigration("v2: request") { db in
            // What was sent, journaled with the intent to submit; it used to be a file in the spool.
            try db.execute(sql: "ALTER TABLE job ADD COLUMN request TEXT")
        }
        migrator.registerMigration("v3: result") { db in
            // Segmind's answer for a finished request (output URLs, metrics), journaled before any download: the
            // record expires on Segmind's side after an hour, the outputs only after days.
            try db.execute(sql: "ALTER TABLE job ADD COLUMN result TEXT")
        }
        migrator.registerMigration("v4: share") { db in
            // The queue a job joins for fair turns: its inbox, and the first folder of its subpath for inboxes that
            // share by subfolder. Both indexes give a share's next job in one seek, whatever the backlog.
            try db.execute(
                sql: """
                    ALTER TABLE job ADD COLUMN top_folder TEXT NOT NULL DEFAULT '';
                    UPDATE job SET top_folder = CASE WHEN instr(subpath, '/') > 0
                        THEN substr(subpath, 1, instr(subpath, '/') - 1) ELSE subpath END;
                    CREATE INDEX job_inbox_queue ON job (state, inbox, priority DESC, ready_at, id);
                    CREATE INDEX job_folder_queue ON job (state, inbox, top_folder, priority DESC, ready_at, id);
                    """
            )
        }
        migrator.registerMigration("v5: spend") { db in
            // What each job may cost and did cost, by inbox and UTC day and month, so budgets survive restarts.
            // `estimate` is written before the paid POST and counts until `cost` (Segmind's metrics.cost) is booked;
            // the job_id key lets a job's own reservation be replaced, never counted twice. `budget_crossing` holds
            // the limits already reported reached in a period, so each crossing writes one warning.
            try db.execute(
                sql: """
                    CREATE TABLE spend (
                        job_id INTEGER PRIMARY KEY,
                        inbox TEXT NOT NULL,
                        day TEXT NOT NULL,
                        month TEXT NOT NULL,
                        estimate REAL NOT NULL,
                        cost REAL,
                        reserved_at REAL NOT NULL,
                        booked_at REAL
                    );
                    CREATE INDEX spend_month_inbox ON spend (month, inbox);
                    CREATE TABLE budget_crossing (
                        scope TEXT NOT NULL,
                        period TEXT NOT NULL,
                        limit_usd REAL NOT NULL,
                        crossed_at REAL NOT NULL,
                        PRIMARY KEY (scope, period, limit_usd)
                    );
                    """
            )
        }
        migrator.registerMigration("v6: run time estimates") { db in
            // What the poll planner learned about each model's run time, per size of the work (steps × pixels ×
            // images, a power-of-two bucket): kept so that a restart neither forgets a model nor probes it early again.
            try db.execute(
                sql: """
                    CREATE TABLE run_time_estimate (
                        model TEXT NOT NULL,
                        size_bucket INTEGER NOT NULL,
                        seconds REAL NOT NULL,
                        samples INTEGER NOT NULL,
                        updated_at REAL NOT NULL,
                        PRIMARY KEY (model, size_bucket)
                    )
                    """
            )
        }
        migrator.registerMigration("v7: retries") { db in
            // A job queued again from its failed/ (or cancelled/) folder: its attempt number, the earlier attempt's
            // record, and that attempt's claim ID (`retried_from`), which makes a retry folder found again after a
            // crash recognisable as already taken. `pending_retry` holds a retry whose files are on their way back
            // into the inbox, until the claim of those files picks it up.
            try db.execute(
                sql: """
                    ALTER TABLE job ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE job ADD COLUMN previous_error TEXT;
                    ALTER TABLE job ADD COLUMN retried_from TEXT;
                    CREATE INDEX job_retried_from ON job (retried_from) WHERE retried_from IS NOT NULL;
                    CREATE TABLE pending_retry (
                        inbox TEXT NOT NULL,
                        subpath TEXT NOT NULL,
                        name TEXT NOT NULL,
                        attempt INTEGER NOT NULL,
                        previous_error TEXT NOT NULL,
                        retried_from TEXT NOT NULL UNIQUE,
                        created_at REAL NOT NULL,
                        PRIMARY KEY (inbox, subpath, name)
                    );
                    """
            )
        }
        migrator.registerMigration("v8: hooks") { db in
            // The hooks due when a job ended, written in the transaction that ended it: one row per hook, finished
            // once the command ran (its exit recorded) or the webhook got a 2xx or gave up. Unfinished rows run again
            // at the next start, so each hook runs at least once whatever crashes in between.
            try db.execute(
                sql: """
                    CREATE TABLE hook (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        job_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        event TEXT NOT NULL,
                        due_at REAL NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        finished_at REAL,
                        outcome TEXT,
                        UNIQUE (job_id, kind)
                    );
                    CREATE INDEX hook_unfinished ON hook (id) WHERE finished_at IS NULL;
                    """
            )
        }
        migrator.registerMigration("v9: expansions") { db in
            // A sidecar that asks for variations, being written out as plain drops: which drop (by its sidecar's
            // hash), since when, and when its originals left the inbox. A drop found again after a crash is
            // recognised and finished, not expanded twice; one dropped again after `completed_at` is a new one.
            try db.execute(
                sql: """
                    CREATE TABLE expansion (
                        inbox TEXT NOT NULL,
                        subpath TEXT NOT NULL,
                        stem TEXT NOT NULL,
                        sidecar_sha256 TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        completed_at REAL,
                        PRIMARY KEY (inbox, subpath, stem, sidecar_sha256)
                    )
                    """
            )
        }
        migrator.registerMigration("v10: spend by day") { db in
            // Each inbox's spend per UTC day, kept by triggers in the transaction that changes `spend`, so the budget
            // gate and `status` add up at most a month of days instead of every job of the month. Amounts are whole
            // micro-dollars: sums of integers stay exact however many jobs are added and taken back.
            try db.execute(
                sql: """
                    CREATE TABLE spend_day (
                        month TEXT NOT NULL,
                        inbox TEXT NOT NULL,
                        day TEXT NOT NULL,
                        booked INTEGER NOT NULL DEFAULT 0,
                        in_flight INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (month, inbox, day)
                    ) WITHOUT ROWID;
                    CREATE TRIGGER spend_day_insert AFTER INSERT ON spend BEGIN
                        INSERT INTO spend_day (month, inbox, day, booked, in_flight) VALUES (
                            NEW.month, NEW.inbox, NEW.day,
                            IIF(NEW.cost IS NULL, 0, CAST(ROUND(NEW.cost * 1000000) AS INTEGER)),
                            IIF(NEW.cost IS NULL, CAST(ROUND(NEW.estimate * 1000000) AS INTEGER), 0))
                        ON CONFLICT (month, inbox, day) DO UPDATE SET
                            booked = booked + excluded.booked, in_flight = in_flight + excluded.in_flight;
                    END;
                    CREATE TRIGGER spend_day_delete AFTER DELETE ON spend BEGIN
                        UPDATE spend_day SET
                            booked = booked - IIF(OLD.cost IS NULL, 0, CAST(ROUND(OLD.cost * 1000000) AS INTEGER)),
                            in_flight = in_flight - IIF(OLD.cost IS NULL, CAST(ROUND(OLD.estimate * 1000000) AS INTEGER), 0)
                        WHERE month = OLD.month AND inbox = OLD.inbox AND day = OLD.day;
                    END;
                    CREATE TRIGGER spend_day_update AFTER UPDATE ON spend BEGIN
                        UPDATE spend_day SET
                            booked = booked - IIF(OLD.cost IS NULL, 0, CAST(ROUND(OLD.cost * 1000000) AS INTEGER)),
                            in_flight = in_flight - IIF(OLD.cost IS NULL, CAST(ROUND(OLD.estimate * 1000000) AS INTEGER), 0)
                        WHERE month = OLD.month AND inbox = OLD.inbox AND day = OLD.day;
                        INSERT INTO spend_day (month, inbox, day, booked, in_flight) VALUES (
                            NEW.month, NEW.inbox, NEW.day,
                            IIF(NEW.cost IS NULL, 0, CAST(ROUND(NEW.cost * 1000000) AS INTEGER)),
                            IIF(NEW.cost IS NULL, CAST(ROUND(NEW.estimate * 1000000) AS INTEGER), 0))
                        ON CONFLICT (month, inbox, day) DO UPDATE SET
                            booked = booked + excluded.booked, in_flight = in_flight + excluded.in_flight;
                    END;
                    INSERT INTO spend_day (month, inbox, day, booked, in_flight)
                        SELECT month, inbox, day,
                            SUM(IIF(cost IS NULL, 0, CAST(ROUND(cost * 1000000) AS INTEGER))),
                            SUM(IIF(cost IS NULL, CAST(ROUND(estimate * 1000000) AS INTEGER), 0))
                        FROM spend GROUP BY month, inbox, day;
                    """
            )
        }
        migrator.registerMigration("v11: queue indexes of queued jobs only") { db in
            // The share indexes serve only the queue queries, which ask for claimed jobs. Holding every job, they
            // changed at each of a job's transitions, since the state leads their keys: each later step rewrote
            // entries no query reads, pages the log then carried (`bench/syncs-per-job.sh --all` counts its writes).
            // Partial, they hold a job only while it is queued. The queries name the state as a literal and the index
            // (`JobJournal.queuedFoldersSQL`), which SQLite needs to use them.
            try db.execute(
                sql: """
                    DROP INDEX job_inbox_queue;
                    DROP INDEX job_folder_queue;
                    CREATE INDEX job_inbox_queue ON job (inbox, priority DESC, ready_at, id) WHERE state = 'claimed';
                    CREATE INDEX job_folder_queue ON job (inbox, top_folder, priority DESC, ready_at, id) WHERE state = 'claimed';
                    """
            )
        }
        return migrator
    }
}
