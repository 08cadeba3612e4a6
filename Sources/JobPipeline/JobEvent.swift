public import Outbox
public import SegmindAPI

/// What a running job reports, for a progress display or a log.
public enum JobEvent: Sendable {
    case validated(model: String, warnings: [String])
    case submitted(requestID: String)
    case polled(RequestStatus, polls: Int)
    case downloaded(index: Int, of: Int, bytes: Int)
    case finished(JobReport)
}

/// How a job ended and where its folder is.
public struct JobReport: Sendable, Hashable {
    public var outcome: JobOutcome
    /// The job's folder in `done/` or `failed/`; nil only when even the failure could not be written.
    public var folder: String?
    public var requestID: String?
    /// The `error.json` code of a failed job.
    public var errorCode: String?

    public init(outcome: JobOutcome, folder: String?, requestID: String?, errorCode: String?) {
        self.outcome = outcome
        self.folder = folder
        self.requestID = requestID
        self.errorCode = errorCode
    }
}
