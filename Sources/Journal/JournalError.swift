/// Everything the journal can refuse or fail at, with a description a person can act on.
package enum JournalError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The journal file could not be opened, created or migrated.
    case cannotOpen(path: String, reason: String)
    /// SQLite reported an error while reading or writing.
    case database(reason: String)
    /// No job has this ID.
    case jobNotFound(id: Int64)
    /// The move is not allowed from the job's current state; nothing was written.
    case illegalTransition(id: Int64, from: JobState, to: JobState)
    /// A job already claims this folder; claiming it twice would submit it twice.
    case duplicateClaim(claimedPath: String)
    /// A text field that must hold JSON does not.
    case invalidJSON(field: String)
    /// A stored row could not be read back (an unknown state, a missing column).
    case corruptRow(id: Int64, reason: String)

    package var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open the job journal at \(path): \(reason)"
        case .database(let reason):
            "job journal database error: \(reason)"
        case .jobNotFound(let id):
            "job \(id) is not in the journal"
        case .illegalTransition(let id, let from, let to):
            "job \(id) cannot move from \(from) to \(to)"
        case .duplicateClaim(let claimedPath):
            "a job already claims \(claimedPath)"
        case .invalidJSON(let field):
            "the journal field \(field) must hold valid JSON"
        case .corruptRow(let id, let reason):
            "job \(id) has an unreadable journal row: \(reason)"
        }
    }
}
