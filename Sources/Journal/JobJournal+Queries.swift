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
            let order = try Self.firstIDs(
                db.cachedStatement(sql: "SELECT id FROM job WHERE state = ? ORDER BY priority DESC, ready_at, id LIMIT ?"),
                arguments: [JobState.claimed.rawValue, limit + skipping.count],
                limit: limit,
                skipping: skipping
            )
            return try order.map { id in try JobRecord.fetch(db, id: id) }
        }
    }

    /// The queues with claimed jobs: each inbox's top folders that hold one or more.
    ///
    /// The scheduler asks after every job that ends, so this must not grow with the backlog. Counting the jobs
    /// of each queue read every claimed job's index entry. Instead the share index is skipped through: from one
    /// queue's first job, one seek to the next top folder of the same inbox, or else to the next inbox, so the cost
    /// grows with the number of queues and only logarithmically with the backlog (`bench/queue-cost.py`, 10,000
    /// claimed jobs in 21 queues: 0.08 ms, against 1.3 to 1.7 ms counted).
    package func queuedFolders() throws(JournalError) -> [QueuedFolder] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: Self.queuedFoldersSQL)).map {
                QueuedFolder(inbox: $0[0], topFolder: $0[1])
            }
        }
    }

    /// A recursive walk over `job_folder_queue` (inbox, top_folder, ... of the claimed jobs): each step finds the
    /// first job of the next queue with two index seeks and reads that job's inbox and top folder by its ID. The
    /// state is a literal, not a parameter: SQLite uses a partial index only for a query whose terms imply its own.
    /// The index is named (`INDEXED BY`): without statistics SQLite would rather seek the claimed jobs in the state
    /// index and sort all of them, which grows with the backlog; named, a query that cannot use it fails instead.
    static let queuedFoldersSQL = """
        WITH RECURSIVE queue(id) AS (
            SELECT (SELECT id FROM job INDEXED BY job_folder_queue WHERE state = 'claimed' ORDER BY inbox, top_folder LIMIT 1)
            UNION ALL
            SELECT COALESCE(
                (SELECT next.id FROM job AS next INDEXED BY job_folder_queue
                    WHERE next.state = 'claimed' AND next.inbox = this.inbox AND next.top_folder > this.top_folder
                    ORDER BY next.top_folder LIMIT 1),
                (SELECT next.id FROM job AS next INDEXED BY job_folder_queue
                    WHERE next.state = 'claimed' AND next.inbox > this.inbox
                    ORDER BY next.inbox, next.top_folder LIMIT 1))
            FROM queue JOIN job AS this ON this.id = queue.id
        )
        SELECT job.inbox, job.top_folder FROM queue JOIN job ON job.id = queue.id
        """

    /// The claimed jobs of one queue to submit next: of `inbox`, or only of its `topFolder`; highest priority
    /// first, then the longest ready. One index seek whatever the backlog (see ``nextToSubmit(limit:skipping:)``),
    /// in the partial share indexes, whose condition the literal state matches (see ``queuedFoldersSQL``).
    package func nextToSubmit(inbox: String, topFolder: String?, limit: Int, skipping: Set<Int64> = []) throws(JournalError) -> [JobRecord] {
        guard limit > 0 else { return [] }
        return try read { db in
            let statement: Statement
            let arguments: StatementArguments
            if let topFolder {
                statement = try db.cachedStatement(sql: Self.nextInFolderSQL)
                arguments = [inbox, topFolder, limit + skipping.count]
            } else {
                statement = try db.cachedStatement(sql: Self.nextInInboxSQL)
                arguments = [inbox, limit + skipping.count]
            }
            let order = try Self.firstIDs(statement, arguments: arguments, limit: limit, skipping: skipping)
            return try order.map { id in try JobRecord.fetch(db, id: id) }
        }
    }

    /// A top folder's claimed jobs in turn order, from `job_folder_queue` (the literal state: see ``queuedFoldersSQL``).
    static let nextInFolderSQL =
        "SELECT id FROM job INDEXED BY job_folder_queue WHERE state = 'claimed' AND inbox = ? AND top_folder = ? ORDER BY priority DESC, ready_at, id LIMIT ?"

    /// An inbox's claimed jobs in turn order, from `job_inbox_queue`.
    static let nextInInboxSQL =
        "SELECT id FROM job INDEXED BY job_inbox_queue WHERE state = 'claimed' AND inbox = ? ORDER BY priority DESC, ready_at, id LIMIT ?"

    /// The first `limit` IDs `statement` yields that are not in `skipping`, stepping no further than that.
    ///
    /// The statement's own `LIMIT` leaves room for every skipped job, since any of them may still be claimed. Most
    /// are past their intent to submit and no longer in the queue, so the walk usually stops after one entry
    /// instead of reading one for each job in flight.
    private static func firstIDs(
        _ statement: Statement,
        arguments: StatementArguments,
        limit: Int,
        skipping: Set<Int64>
    ) throws -> [Int64] {
        let cursor = try Int64.fetchCursor(statement, arguments: arguments)
        var ids: [Int64] = []
        while ids.count < limit, let id = try cursor.next() {
            if !skipping.contains(id) { ids.append(id) }
        }
        return ids
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
