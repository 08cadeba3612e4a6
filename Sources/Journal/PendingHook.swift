package import Foundation

/// A hook due and not yet finished, with what it needs to know of its job.
package struct PendingHook: Sendable, Hashable, Identifiable {
    package var id: Int64
    package var jobID: Int64
    package var kind: HookKind
    package var event: HookEvent
    /// When the job ended and the hook became due; a webhook gives up a set time after it.
    package var dueAt: Date
    /// Attempts made so far (webhook deliveries; a command counts its one start).
    package var attempts: Int
    package var job: String
    package var inbox: String
    /// The job's folder in `done/` or `failed/`.
    package var folder: String
    package var requestID: String?
    package var model: String?
    /// The failure's code, for a failed job.
    package var errorCode: String?
    /// What the job cost (Segmind's figure, else its estimate), when a cost was booked.
    package var cost: Double?

    package init(
        id: Int64,
        jobID: Int64,
        kind: HookKind,
        event: HookEvent,
        dueAt: Date,
        attempts: Int = 0,
        job: String,
        inbox: String,
        folder: String,
        requestID: String? = nil,
        model: String? = nil,
        errorCode: String? = nil,
        cost: Double? = nil
    ) {
        self.id = id
        self.jobID = jobID
        self.kind = kind
        self.event = event
        self.dueAt = dueAt
        self.attempts = attempts
        self.job = job
        self.inbox = inbox
        self.folder = folder
        self.requestID = requestID
        self.model = model
        self.errorCode = errorCode
        self.cost = cost
    }
}
