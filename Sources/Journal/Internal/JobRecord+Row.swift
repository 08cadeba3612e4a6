import Foundation
import GRDB

extension JobRecord {
    /// Decodes the current row of a statement that selects ``JobColumn/selection``, column by position; an unknown
    /// state, or NULL where the table allows none, is reported, not guessed.
    init(statement: SQLiteStatement) throws(JournalError) {
        /// A column that may hold NULL.
        func optional<Value: StatementColumnConvertible>(_ column: JobColumn) -> Value? {
            Value.fromStatement(statement, atUncheckedIndex: column.rawValue)
        }
        let id: Int64 = optional(.id) ?? 0
        /// A column that holds no NULL.
        func required<Value: StatementColumnConvertible>(_ column: JobColumn) throws(JournalError) -> Value {
            guard let value: Value = optional(column) else { throw .corruptRow(id: id, reason: "\(column.name) is NULL") }
            return value
        }
        let stored: String? = optional(.state)
        guard let state = stored.flatMap(JobState.init(rawValue:)) else {
            throw .corruptRow(id: id, reason: "unknown state \(String(describing: stored))")
        }
        self.init(
            id: id,
            claim: JobClaim(
                inbox: try required(.inbox),
                subpath: try required(.subpath),
                name: try required(.name),
                claimedPath: try required(.claimedPath),
                facePath: try required(.facePath),
                sidecarPath: optional(.sidecarPath),
                posePath: optional(.posePath),
                model: optional(.model),
                priority: try required(.priority),
                droppedAt: Date(timeIntervalSince1970: try required(.droppedAt)),
                readyAt: Date(timeIntervalSince1970: try required(.readyAt))
            ),
            state: state,
            requestID: optional(.requestID),
            statusURL: optional(.statusURL),
            responseURL: optional(.responseURL),
            submittedAt: Self.date(optional(.submittedAt)),
            polls: try required(.polls),
            nextPollAt: Self.date(optional(.nextPollAt)),
            deadline: Self.date(optional(.deadline)),
            completedAt: Self.date(optional(.completedAt)),
            spoolPath: optional(.spoolPath),
            request: optional(.request),
            result: optional(.result),
            outputs: try required(.outputs),
            errorCode: optional(.errorCode),
            errorRecord: optional(.errorRecord),
            resultFolder: optional(.resultFolder),
            updatedAt: Date(timeIntervalSince1970: try required(.updatedAt)),
            attempt: optional(.attempt) ?? 1,
            previousError: optional(.previousError),
            retriedFrom: optional(.retriedFrom)
        )
    }

    private static func date(_ seconds: Double?) -> Date? {
        seconds.map(Date.init(timeIntervalSince1970:))
    }

    /// Fetches the jobs `SELECT <the job columns> FROM job WHERE <condition>` finds, in its order.
    static func fetchAll(
        _ db: Database,
        where condition: String,
        arguments: StatementArguments = StatementArguments()
    ) throws -> [JobRecord] {
        // Cached: the journal's few statements are compiled (and checked by GRDB's authorizer) once per
        // connection instead of at every transition of every job.
        try fetchAll(db.cachedStatement(sql: "SELECT \(JobColumn.selection) FROM job WHERE \(condition)"), arguments: arguments)
    }

    /// The records a statement selecting ``JobColumn/selection`` (or returning it) reads, run to its end.
    static func fetchAll(_ statement: Statement, arguments: StatementArguments) throws -> [JobRecord] {
        try Array(JobRecordCursor(statement, arguments: arguments))
    }

    /// Fetches one job by ID, or throws ``JournalError/jobNotFound(id:)``.
    static func fetch(_ db: Database, id: Int64) throws -> JobRecord {
        guard let record = try fetchAll(db, where: "id = ?", arguments: [id]).first else {
            throw JournalError.jobNotFound(id: id)
        }
        return record
    }
}
