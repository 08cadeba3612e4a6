package import SegmindAPI
package import SegmindCatalog
package import StrictJSON

/// Why a job failed, with the stage it failed in: the content of its `error.json`.
package struct JobFailure: Error, Sendable {
    package enum Stage: String, Sendable {
        case validate, submit, poll, download, write
    }

    package var stage: Stage
    package var code: String
    package var message: String
    package var hint: String
    package var httpStatus: Int?
    package var segmindMessage: String?
    package var requestID: String?
    package var problems: [JSONValue] = []

    package init(
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

    package static func invalidInput(_ message: String, hint: String) -> JobFailure {
        JobFailure(stage: .validate, code: "invalid_input", message: message, hint: hint)
    }

    package static func invalidSidecar(_ rejection: SidecarRejection) -> JobFailure {
        var failure = JobFailure(
            stage: .validate,
            code: "invalid_sidecar",
            message: rejection.description,
            hint: "Fix every problem listed and drop the job again; nothing was sent to Segmind."
        )
        failure.problems = rejection.issues.map(\.jsonValue)
        return failure
    }

    package static func segmind(_ error: SegmindError, stage: Stage, requestID: String?) -> JobFailure {
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
