import SegmindAPI
import SegmindCatalog

/// Why a job failed, with the stage it failed in: the content of its `error.json`.
struct JobFailure: Error, Sendable {
    enum Stage: String, Sendable {
        case validate, submit, poll, download, write
    }

    var stage: Stage
    var code: String
    var message: String
    var hint: String
    var httpStatus: Int?
    var segmindMessage: String?
    var requestID: String?
    var problems: [JSONValue] = []

    static func invalidInput(_ message: String, hint: String) -> JobFailure {
        JobFailure(stage: .validate, code: "invalid_input", message: message, hint: hint)
    }

    static func invalidSidecar(_ rejection: SidecarRejection) -> JobFailure {
        var failure = JobFailure(
            stage: .validate,
            code: "invalid_sidecar",
            message: rejection.description,
            hint: "Fix every problem listed and drop the job again; nothing was sent to Segmind."
        )
        failure.problems = rejection.issues.map(\.jsonValue)
        return failure
    }

    static func segmind(_ error: SegmindError, stage: Stage, requestID: String?) -> JobFailure {
        JobFailure(
            stage: stage,
            code: error.code,
            message: error.description,
            hint: error.hint,
            httpStatus: error.httpStatus,
            segmindMessage: error.segmindMessage,
            requestID: error.requestID ?? requestID
        )
    }
}
