public import Foundation

/// One job as the journal stores it: a snapshot, read in one transaction.
///
/// There is deliberately no field for credentials: the journal has no way to store an API key.
public struct JobRecord: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var inbox: String
    public var subpath: String
    public var name: String
    public var claimedPath: String
    public var facePath: String
    public var sidecarPath: String?
    public var posePath: String?
    public var model: String?
    public var priority: Int
    public var droppedAt: Date
    public var readyAt: Date
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
    /// JSON text describing the spooled outputs; `[]` until there are any.
    public var outputs: String
    public var errorCode: String?
    /// JSON text of the error record for `error.json`.
    public var errorRecord: String?
    public var resultFolder: String?
    public var updatedAt: Date
}
