import GRDB

extension JournalError {
    /// Keeps a ``JournalError`` thrown inside a transaction as it is, and turns anything else into a readable one.
    init(_ error: any Error) {
        if let error = error as? JournalError {
            self = error
        } else {
            self = .database(reason: Self.reason(for: error))
        }
    }

    /// SQLite's message and code, without the statement's arguments (they could hold paths a log should not show).
    static func reason(for error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "\(error.message ?? "SQLite error") (code \(error.extendedResultCode.rawValue))"
        }
        return String(describing: error)
    }
}
