/// A retry on its way: the job's files are being put back into `inbox` at `subpath/name`, and the claim of them
/// becomes attempt `attempt` of the job (see ``JobJournal/registerRetry(_:)``).
package struct PendingRetry: Sendable, Equatable {
    package var inbox: String
    package var subpath: String
    package var name: String
    package var attempt: Int
    /// JSON text of the earlier attempt's `error.json` or `cancelled.json`.
    package var previousError: String
    /// The earlier attempt's claim ID.
    package var retriedFrom: String

    package init(inbox: String, subpath: String, name: String, attempt: Int, previousError: String, retriedFrom: String) {
        self.inbox = inbox
        self.subpath = subpath
        self.name = name
        self.attempt = attempt
        self.previousError = previousError
        self.retriedFrom = retriedFrom
    }
}
