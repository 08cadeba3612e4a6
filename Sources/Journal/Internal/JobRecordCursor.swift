import GRDB

/// The ``JobRecord``s of a statement that selects ``JobColumn/selection``, decoded by column position straight from
/// the statement as it steps.
///
/// GRDB's row cursor makes a table of every column's lowercased name at each fetch, and `Row.fetchAll` copies each
/// row's values before they are decoded: for the few rows a journal transition reads, that cost more than the
/// transition's own SQL. The statement is stepped through GRDB (`DatabaseCursor`), so its bookkeeping of what runs
/// stays the same.
final class JobRecordCursor: DatabaseCursor {
    typealias Element = JobRecord

    let _statement: Statement
    var _isDone = false

    /// Binds `arguments` (which resets the statement); refuses a statement whose columns are not ``JobColumn``'s.
    init(_ statement: Statement, arguments: StatementArguments) throws {
        guard statement.columnNames == JobColumn.selectedNames else {
            throw JournalError.corruptRow(id: 0, reason: "the statement does not select the job columns in order: \(statement.sql)")
        }
        _statement = statement
        try statement.setArguments(arguments)
    }

    deinit {
        // A cursor left before the statement's end (a failed step) resets it, as GRDB's own cursors do; binding the
        // same arguments again is the public way to reset, and the error of the failed step is the caller's already.
        if !_isDone { try? _statement.setArguments(_statement.arguments) }
    }

    func _element(sqliteStatement: SQLiteStatement) throws -> JobRecord {
        try JobRecord(statement: sqliteStatement)
    }
}
