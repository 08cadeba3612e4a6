import Foundation
import GRDB

extension JobRecord {
    /// Decodes one `job` row; an unknown state is reported, not guessed.
    init(row: Row) throws(JournalError) {
        // Columns are found by position from one pass over the names: looking each of the ~30 names up in the
        // row (GRDB compares them case-insensitively, one by one) cost more than the rest of a transition.
        let position = Dictionary(row.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let row = NamedRow(row: row, position: position)
        let id: Int64 = row["id"]
        guard let state = JobState(rawValue: row["state"] ?? "") else {
            throw .corruptRow(id: id, reason: "unknown state \(String(describing: row["state"] as String?))")
        }
        self.init(
            id: id,
            claim: JobClaim(
                inbox: row["inbox"],
                subpath: row["subpath"],
                name: row["name"],
                claimedPath: row["claimed_path"],
                facePath: row["face_path"],
                sidecarPath: row["sidecar_path"],
                posePath: row["pose_path"],
                model: row["model"],
                priority: row["priority"],
                droppedAt: Date(timeIntervalSince1970: row["dropped_at"]),
                readyAt: Date(timeIntervalSince1970: row["ready_at"])
            ),
            state: state,
            requestID: row["request_id"],
            statusURL: row["status_url"],
            responseURL: row["response_url"],
            submittedAt: Self.date(row["submitted_at"]),
            polls: row["polls"],
            nextPollAt: Self.date(row["next_poll_at"]),
            deadline: Self.date(row["deadline"]),
            completedAt: Self.date(row["completed_at"]),
            spoolPath: row["spool_path"],
            request: row["request"],
            result: row["result"],
            outputs: row["outputs"],
            errorCode: row["error_code"],
            errorRecord: row["error_record"],
            resultFolder: row["result_folder"],
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
            attempt: row["attempt"] ?? 1,
            previousError: row["previous_error"],
            retriedFrom: row["retried_from"]
        )
    }

    private static func date(_ seconds: Double?) -> Date? {
        seconds.map(Date.init(timeIntervalSince1970:))
    }

    /// Fetches the rows of `sql` as records.
    static func fetchAll(
        _ db: Database,
        sql: String,
        arguments: StatementArguments = StatementArguments()
    ) throws -> [JobRecord] {
        // Cached: the journal's few statements are compiled (and checked by GRDB's authorizer) once per
        // connection instead of at every transition of every job.
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row throws(JournalError) in
            try JobRecord(row: row)
        }
    }

    /// Fetches one job by ID, or throws ``JournalError/jobNotFound(id:)``.
    static func fetch(_ db: Database, id: Int64) throws -> JobRecord {
        guard let record = try fetchAll(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).first else {
            throw JournalError.jobNotFound(id: id)
        }
        return record
    }
}

/// A row read by column name through a precomputed position table.
private struct NamedRow {
    let row: Row
    let position: [String: Int]

    /// `Value` is optional for a column that may hold NULL, as with `Row`'s own subscripts.
    subscript<Value: DatabaseValueConvertible>(_ name: String) -> Value {
        guard let index = position[name] else { return row[name] }
        return row[index]
    }

    /// A column of a plain type that may hold NULL. Decoded like the non-optional column once NULL is ruled
    /// out, rather than through GRDB's generic `Optional` decoding, which looked `Optional`'s metadata up at
    /// run time for each of the ~15 such columns of every row read (~1,900 instructions each).
    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ name: String) -> Value? {
        guard let index = position[name] else { return row[name] }
        if row.hasNull(atIndex: index) { return nil }
        return row[index] as Value
    }
}
