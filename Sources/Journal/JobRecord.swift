public import Foundation

/// One job as the journal stores it: a snapshot, read in one transaction.
///
/// There is deliberately no field for credentials: the journal has no way to store an API key.
@dynamicMemberLookup
public struct JobRecord: Sendable, Equatable, Identifiable {
    public var id: Int64
    /// What was known when the job was claimed; its fields read directly on the record (`record.claimedPath`).
    public var claim: JobClaim
    public var state: JobState
    public var requestID: String?
    public var statusURL: String?
    public var responseURL: String?
    public var submittedAt: Date?
    /// Polls made so far for this request.
    public var polls: Int
    public var nextPollAt: Date?
    /// After this moment the job is given up as timed out.
    public var deadline: Date?
    /// When the outputs were saved in the spool; with `submittedAt` it gives the model's run time.
    public var completedAt: Date?
    public var spoolPath: String?
    /// JSON text describing what was sent (model, parameters, warnings), recorded with the intent to submit.
    public var request: String?
    /// JSON text of Segmind's answer for the finished request (output URLs, metrics), journaled the moment a
    /// poll found it finished and before any download; nil until then.
    public var result: String?
    /// JSON text describing the spooled outputs; `[]` until there are any.
    public var outputs: String
    public var errorCode: String?
    /// JSON text of the error record for `error.json`.
    public var errorRecord: String?
    public var resultFolder: String?
    public var updatedAt: Date

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<JobClaim, Value>) -> Value {
        get { claim[keyPath: keyPath] }
        set { claim[keyPath: keyPath] = newValue }
    }
}
