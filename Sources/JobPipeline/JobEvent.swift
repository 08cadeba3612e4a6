package import Outbox
package import SegmindAPI

/// What a running job reports, for a progress display or a log.
package enum JobEvent: Sendable {
    case validated(model: String, warnings: [String])
    case submitted(requestID: String)
    case polled(RequestStatus, polls: Int)
    case downloaded(index: Int, of: Int, bytes: Int)
    case finished(JobReport)
}

/// How a job ended and where its folder is.
package struct JobReport: Sendable, Hashable {
    package var outcome: JobOutcome
    /// The job's folder in `done/` or `failed/`; nil only when even the failure could not be written.
    package var folder: String?
    package var requestID: String?
    /// The `error.json` code of a failed job.
    package var errorCode: String?

    package init(outcome: JobOutcome, folder: String?, requestID: String?, errorCode: String?) {
        self.outcome = outcome
        self.folder = folder
        self.requestID = requestID
        self.errorCode = errorCode
    }
}
