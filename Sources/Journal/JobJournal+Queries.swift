package import Foundation
import GRDB

extension JobJournal {
    /// One job by ID, or `nil`.
    package func job(_ id: Int64) throws(JournalError) -> JobRecord? {
        try read { db in
            try JobRecord.fetchAll(db, where: "id = ?", arguments: [id]).first
        }
    }

    /// How many jobs are in each state; every state is present, zero included (for `facedrop status`).
    package func countsByState() throws(JournalError) -> [JobState: Int] {
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM job GROUP BY state")
        }
        var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
        for row in rows {
            if let state = JobState(rawValue: row["state"]) {
                counts[state] = row["n"]
            }
        }
        return counts
    }

    /// The claimed jobs to submit next: highest priority first, then the longest ready.
    ///
    /// - Parameter skipping: jobs to leave out (the ones already started, which stay `claimed` until their
    ///   intent to submit is journaled). The order is read from the state index alone and only the jobs
    ///   returned are read whole, so a scheduler asking after every finished job does not decode a row
    ///   for each job in flight each time.
    package func nextToSubmit(limit: Int, skipping: Set<Int64> = []) throws(JournalError) -> [JobRecord] {
        guard limit > 0 else { return [] }
        return try read { db in
            let order = try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM job WHERE state = ? ORDER BY priority DESC, ready_at, id LIMIT ?"),
                arguments: [JobState.claimed.rawValue, limit + skipping.count]
            )
            return try order.lazy.filter { !skipping.contains($0) }.prefix(limit).map { id in
                try JobRecord.fetch(db, id: id)
            }
        }
    }

    /// The queues with claimed jobs: each inbox's top folders and how many jobs each holds. Read from the share
    /// index alone, a few milliseconds at a 10,000-job backlog.
    package func queuedFolders() throws(JournalError) -> [QueuedFolder] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT inbox, top_folder, COUNT(*) AS n FROM job WHERE state = ? GROUP BY inbox, top_folder"),
                arguments: [JobState.claimed.rawValue]
            ).map { QueuedFolder(inbox: $0["inbox"], topFolder: $0["top_folder"], count: $0["n"]) }
        }
    }

    /// The claimed jobs of one queue to submit next: of `inbox`, or only of its `topFolder`; highest priority
    /// first, then the longest ready. One index seek whatever the backlog (see ``nextToSubmit(limit:skipping:)``).
    package func nextToSubmit(inbox: String, topFolder: String?, limit: Int, skipping: Set<Int64> = []) throws(JournalError) -> [JobRecord] {
        guard limit > 0 else { return [] }
        return try read { db in
            let order: [Int64]
            if let topFolder {
                order = try Int64.fetchAll(
                    db.cachedStatement(
                        sql: "SELECT id FROM job WHERE state = ? AND inbox = ? AND top_folder = ? ORDER BY priority DESC, ready_at, id LIMIT ?"
                    ),
                    arguments: [JobState.claimed.rawValue, inbox, topFolder, limit + skipping.count]
                )
            } else {
                order = try Int64.fetchAll(
                    db.cachedStatement(sql: "SELECT id FROM job WHERE state = ? AND inbox = ? ORDER BY priority DESC, ready_at, id LIMIT ?"),
                    arguments: [JobState.claimed.rawValue, inbox, limit + skipping.count]
                )
            }
            return try order.lazy.filter { !skipping.contains($0) }.prefix(limit).map { id in
                try JobRecord.fetch(db, id: id)
            }
        }
    }

    /// Jobs whose POST is out or may be out (`submitting`, `submitted`), the soonest poll first.
    package func inFlight() throws(JournalError) -> [JobRecord] {
        try read { db in
            try JobRecord.fetchAll(
                db,
                where: "state IN (?, ?) ORDER BY next_poll_at IS NULL, next_poll_at, id",
                arguments: [JobState.submitting.rawValue, JobState.submitted.rawValue]
            )
        }
    }

    /// The mean seconds from submission to spooled outputs of every job that got that far, per model; the first
    /// poll of a new job waits about this long.
    package func averageRunTimes() throws(JournalError) -> [String: TimeInterval] {
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT model, AVG(completed_at - submitted_at) AS seconds FROM job
                    WHERE model IS NOT NULL AND submitted_at IS NOT NULL AND completed_at IS NOT NULL
                    GROUP BY model
                    """
            )
        }
        return Dictionary(uniqueKeysWithValues: rows.map { row in (row["model"] as String, row["seconds"] as Double) })
    }

    /// `true` if a job already claims this folder, finished or not.
    package func exists(claimedPath: String) throws(JournalError) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM job WHERE claimed_path = ?", arguments: [claimedPath]) ?? false
        }
    }

    /// Failed jobs whose `failed/` folder is not known to be written yet.
    package func undeliveredFailures() throws(JournalError) -> [JobRecord] {
        try read { db in
            try JobRecord.fetchAll(
                db,
                where: "state = ? AND result_folder IS NULL ORDER BY id",
                arguments: [JobState.failed.rawValue]
            )
        }
    }

    /// Every job in `state`, oldest first.
    package func jobs(in state: JobState) throws(JournalError) -> [JobRecord] {
        try read { db in
            try JobRecord.fetchAll(db, where: "state = ? ORDER BY id", arguments: [state.rawValue])
        }
    }

    /// The job that claimed `claimedPath`, finished or not; for the start-up sweep of claim folders.
    package func job(claimedPath: String) throws(JournalError) -> JobRecord? {
        try read { db in
            try JobRecord.fetchAll(db, where: "claimed_path = ?", arguments: [claimedPath]).first
        }
    }
}
