public import SegmindAPI
public import SegmindCatalog

/// Why a job failed, with the stage it failed in: the content of its `error.json`.
public struct JobFailure: Error, Sendable {
    public enum Stage: String, Sendable {
        case validate, submit, poll, download, write
    }

    public var stage: Stage
    public var code: String
    public var message: String
    public var hint: String
    public var httpStatus: Int?
    public var segmindMessage: String?
    public var requestID: String?
    public var problems: [JSONValue] = []

    public init(
        stage: Stage,
        code: String,
        message: String,
        hint: String,
        httpStatus: Int? = nil,
        segmindMessage: String? = nil,
        requestID: String? = nil,
        problems: [JSONValue] = []
    ) {
        self.stage = stage
        self.code = code
        self.message = message
        self.hint = hint
        self.httpStatus = httpStatus
        self.segmindMessage = segmindMessage
        self.requestID = requestID
        self.problems = problems
    }

    public static func invalidInput(_ message: String, hint: String) -> JobFailure {
        JobFailure(stage: .validate, code: "invalid_input", message: message, hint: hint)
    }

    public static func invalidSidecar(_ rejection: SidecarRejection) -> JobFailure {
        var failure = JobFailure(
            stage: .validate,
            code: "invalid_sidecar",
            message: rejection.description,
            hint: "Fix every problem listed and drop the job again; nothing was sent to Segmind."
        )
        failure.problems = rejection.issues.map(\.jsonValue)
        return failure
    }

    public static func segmind(_ error: SegmindError, stage: Stage, requestID: String?) -> JobFailure {
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
