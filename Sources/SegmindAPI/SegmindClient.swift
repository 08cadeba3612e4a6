public import CurlHTTP
import DedicatedThreads
import Foundation
public import Logging
import SegmindCatalog
import ServiceMetrics
public import StrictJSON

/// A client for Segmind's asynchronous (v2) API that never pays twice for one job.
///
/// A submit is repeated only when the request provably never reached Segmind (DNS or connect failure)
/// or Segmind answered 429 or 5xx; a timeout or a dropped connection after the body left becomes
/// ``SegmindError/outcomeUnknown(model:detail:)``, because Segmind has no idempotency key and every
/// accepted POST is a billed job. Polls, results, credits and downloads are safe to repeat and retry
/// with capped exponential backoff and jitter.
///
/// ```swift
/// let client = SegmindClient(configuration: .init(apiKey: APIKey(key)), http: try HTTPClient())
/// let request = try await client.submit(model: "flux-pulid", body: ["prompt": "a portrait", "main_face_image": face])
/// let result = try await client.waitForResult(of: request, expectedRunTime: .seconds(13))
/// ```
///
/// The key travels only in the `x-api-key` header: never in a URL, a log line or an error.
public struct SegmindClient: Sendable {
    public let configuration: SegmindConfiguration
    let http: HTTPClient
    let logger: Logger

    public init(configuration: SegmindConfiguration, http: HTTPClient, logger: Logger = Logger(label: "facedrop.segmind")) {
        self.configuration = configuration
        self.http = http
        self.logger = logger
    }

    var errors: ErrorMapping { ErrorMapping(key: configuration.apiKey) }

    // MARK: Submit

    /// Submits one generation (`POST /v2/{model}`) and returns its handle.
    ///
    /// Each attempt waits for the gate first; an attempt is repeated only when it provably cost nothing
    /// (``SubmitAttempt/retryable(_:)``), within ``SegmindConfiguration/submitRetry``. A caller that must
    /// journal its intent before the POST leaves drives the steps itself: ``waitForTurn(_:)``,
    /// ``sendSubmit(model:body:)`` and ``submitRetryDelay(after:attempt:)``.
    public func submit(model: String, body: [String: JSONValue]) async throws(SegmindError) -> SubmittedRequest {
        var attempt = 0
        while true {
            attempt += 1
            try Self.checkCancellation()
            try await waitForTurn(.submit)
            switch await sendSubmit(model: model, body: body) {
            case .accepted(let request):
                return request
            case .refused(let error), .outcomeUnknown(let error):
                throw error
            case .retryable(let error):
                guard let wait = await submitRetryDelay(after: error, attempt: attempt) else { throw error }
                try await Self.sleep(wait)
            }
        }
    }

    /// Sends one `POST /v2/{model}`, without asking the gate and without repeating it, and says whether
    /// Segmind may have billed it.
    ///
    /// - Parameter beforeSending: Called on the transfer thread once the connection is made and right before
    ///   the request goes out (see ``HTTPRequest/beforeSending``): the place to journal an intent to submit, so
    ///   that it is on disk exactly when the request may reach Segmind. Returning false sends nothing.
    ///
    /// Cancelling the calling task while the POST is on the wire makes its outcome unknown; a caller
    /// that must know the outcome runs this in a task of its own that is not cancelled.
    public func sendSubmit(model: String, body: [String: JSONValue], beforeSending: (@Sendable () -> Bool)? = nil) async -> SubmitAttempt {
        let request = HTTPRequest(
            method: .post,
            url: "\(configuration.baseURL)/v2/\(Self.pathSegment(model))",
            headers: apiHeaders(json: true),
            body: JSONValue.object(body).serialized(),
            timeout: configuration.requestTimeout,
            beforeSending: beforeSending
        )
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
            DaemonMetrics.segmindAnswered(endpoint: "submit", status: response.status)
        } catch {
            if error.requestMayHaveReachedServer {
                logger.warning("submit outcome unknown", metadata: ["segmind.model": "\(model)", "error": "\(error)"])
                return .outcomeUnknown(.outcomeUnknown(model: model, detail: error.description))
            }
            logger.notice("submit never reached Segmind", metadata: ["segmind.model": "\(model)", "error": "\(error)"])
            return .retryable(.network(error))
        }
        // Any 2xx may be an accepted, billed job: read it, and if it cannot be read the outcome is unknown.
        if (200..<300).contains(response.status) {
            do throws(SegmindError) {
                return .accepted(try submitted(from: response, model: model))
            } catch {
                return .outcomeUnknown(error)
            }
        }
        let failure = errors.error(status: response.status, headers: response.headers, body: response.body, endpoint: .submit(model: model))
        logger.info("submit refused", metadata: ["segmind.model": "\(model)", "http.status": "\(response.status)"])
        switch failure {
        case .rateLimited, .serverError: return .retryable(failure)
        default: return .refused(failure)
        }
    }

    /// How long to wait before submitting again after an attempt that cost nothing, or nil when the
    /// submit policy's attempts are spent or the failure is not worth repeating. A 429 holds the gate
    /// for every job, as with any request.
    public func submitRetryDelay(after failure: SegmindError, attempt: Int) async -> Duration? {
        await waitBeforeRetry(after: failure, attempt: attempt, policy: configuration.submitRetry)
    }

    /// Reads a 2xx submit answer. One whose body cannot be read was still billed, so it is an
    /// unknown outcome, never a reason to submit again.
    private func submitted(from response: HTTPResponse, model: String) throws(SegmindError) -> SubmittedRequest {
        guard let body = try? JSONParser().parse(response.body),
            let id = body["request_id"]?.stringValue, Self.isSafeRequestID(id)
        else {
            throw .outcomeUnknown(model: model, detail: "Segmind answered \(response.status) but the request id could not be read")
        }
        let credits =
            body["metrics"]?["remaining_credits"]?.doubleValue
            ?? response.headers["x-remaining-credits"].flatMap(Double.init)
        let fallback = handle(forRequestID: id, model: model)
        logger.debug("submitted", metadata: ["segmind.model": "\(model)", "segmind.request_id": "\(id)"])
        return SubmittedRequest(
            requestID: id,
            model: model,
            statusURL: sameOrigin(body["status_url"]?.stringValue) ?? fallback.statusURL,
            responseURL: sameOrigin(body["response_url"]?.stringValue) ?? fallback.responseURL,
            remainingCredits: credits
        )
    }

    /// The handle of a request known only by its id, e.g. one read back from the journal.
    public func handle(forRequestID id: String, model: String) -> SubmittedRequest {
        let base = configuration.baseURL
        let segment = Self.pathSegment(id)
        return SubmittedRequest(
            requestID: id,
            model: model,
            statusURL: "\(base)/v2/requests/\(segment)/status",
            responseURL: "\(base)/v2/requests/\(segment)"
        )
    }

    // MARK: Poll

    /// Reads a request's state (`GET status_url`). A FAILED request (HTTP 422) is a state, not an error.
    public func status(of request: SubmittedRequest) async throws(SegmindError) -> RequestStatus {
        let body = try await readJSON(url: request.statusURL, endpoint: .status(requestID: request.requestID), acceptFailedBody: true)
        return try Self.status(from: body, requestID: request.requestID)
    }

    /// Reads a finished request's result (`GET response_url`).
    public func result(of request: SubmittedRequest) async throws(SegmindError) -> GenerationResult {
        let httpRequest = HTTPRequest(url: request.responseURL, headers: apiHeaders(json: false), timeout: configuration.requestTimeout)
        let (body, headers) = try await sendReading(httpRequest, endpoint: .result(requestID: request.requestID), acceptFailedBody: true)
        let state = try Self.status(from: body, requestID: request.requestID)
        switch state.state {
        case .failed:
            throw .generationFailed(requestID: request.requestID, message: errors.key.redacting(state.error ?? ""))
        case .queued, .processing:
            throw .malformedResponse(status: 200, detail: "the result was asked for while the request is \(state.state.rawValue)")
        case .completed:
            break
        }
        let outputs = Self.outputs(in: body)
        guard !outputs.isEmpty else {
            throw .malformedResponse(status: 200, detail: "the COMPLETED result lists no output")
        }
        var result = GenerationResult(requestID: request.requestID, outputs: outputs, metrics: state.metrics, body: body)
        result.emulator = headers[Self.emulatorHeader]
        return result
    }

    /// The header a Segmind emulator answers with (facedrop's own sends `x-segmind-emulator: facedrop`); Segmind
    /// itself never sends it. A result that came with it is a synthetic picture, and is marked as such.
    public static let emulatorHeader = "x-segmind-emulator"

    /// The key under which a stored result keeps ``GenerationResult/emulator`` (see ``storedBody(of:)``).
    static let storedEmulatorKey = "facedrop_emulator"

    /// The JSON to store for a finished result: Segmind's body as it came, plus the emulator's name when an
    /// emulator answered. ``storedResult(_:requestID:)`` reads it back.
    public static func storedBody(of result: GenerationResult) -> JSONValue {
        guard let emulator = result.emulator, var object = result.body.objectValue else { return result.body }
        object[storedEmulatorKey] = .string(emulator)
        return .object(object)
    }

    /// A finished request's result read back from what ``storedBody(of:)`` gave; nil when it is not a
    /// completed result with outputs.
    public static func storedResult(_ stored: JSONValue, requestID: String) -> GenerationResult? {
        guard var object = stored.objectValue else { return nil }
        let emulator = object.removeValue(forKey: storedEmulatorKey)?.stringValue
        let body = JSONValue.object(object)
        guard let state = try? status(from: body, requestID: requestID), state.state == .completed else { return nil }
        let outputs = outputs(in: body)
        guard !outputs.isEmpty else { return nil }
        var result = GenerationResult(requestID: requestID, outputs: outputs, metrics: state.metrics, body: body)
        result.emulator = emulator
        return result
    }

    // MARK: Credits and storage

    /// The account's balance (`GET /v1/get-user-credits`, free of charge).
    public func credits() async throws(SegmindError) -> CreditBalance {
        let body = try await readJSON(url: "\(configuration.baseURL)/v1/get-user-credits", endpoint: .credits, acceptFailedBody: false)
        guard let credits = body["credits"]?.doubleValue else {
            throw .malformedResponse(status: 200, detail: "the credits answer has no `credits` number")
        }
        return CreditBalance(credits: credits, freeCredits: body["free-credits"]?.doubleValue ?? 0)
    }

    /// Uploads images to Segmind Storage (`POST /upload-asset`) and returns their URLs, in order.
    ///
    /// Both answer shapes seen in the wild are read: `file_urls` (the SDK's) and `urls` (the docs').
    public func uploadAssets(_ images: [(bytes: [UInt8], contentType: String)]) async throws(SegmindError) -> [String] {
        let dataURLs = images.map { JSONValue.string("data:\($0.contentType);base64,\(Data($0.bytes).base64EncodedString())") }
        let request = HTTPRequest(
            method: .post,
            url: "\(configuration.storageURL)/upload-asset",
            headers: apiHeaders(json: true),
            body: JSONValue.object(["data_urls": .array(dataURLs)]).serialized(),
            timeout: configuration.requestTimeout,
            maxResponseBytes: 1 << 20
        )
        // An upload costs nothing, so it may be repeated like a read.
        let body = try await send(request, endpoint: .upload, acceptFailedBody: false)
        let list = body["file_urls"]?.arrayValue ?? body["urls"]?.arrayValue ?? []
        let urls = list.compactMap(\.stringValue)
        guard urls.count == images.count else {
            throw .malformedResponse(status: 200, detail: "upload-asset returned \(urls.count) URLs for \(images.count) files")
        }
        return urls
    }

    // MARK: Plumbing

    func apiHeaders(json: Bool) -> HTTPHeaders {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if json { headers.add(name: "Content-Type", value: "application/json") }
        if !configuration.apiKey.isEmpty {
            headers.add(name: "x-api-key", value: configuration.apiKey.secret)
        }
        return headers
    }

    private func readJSON(url: String, endpoint: Endpoint, acceptFailedBody: Bool) async throws(SegmindError) -> JSONValue {
        let request = HTTPRequest(url: url, headers: apiHeaders(json: false), timeout: configuration.requestTimeout)
        return try await send(request, endpoint: endpoint, acceptFailedBody: acceptFailedBody)
    }

    /// Sends a request that is safe to repeat, retrying network failures, 429, 5xx and unreadable bodies.
    /// Every attempt is admitted by the configured gate first.
    func send(_ request: HTTPRequest, endpoint: Endpoint, acceptFailedBody: Bool) async throws(SegmindError) -> JSONValue {
        try await sendReading(request, endpoint: endpoint, acceptFailedBody: acceptFailedBody).body
    }

    /// ``send(_:endpoint:acceptFailedBody:)``, with the headers of the answer.
    func sendReading(_ request: HTTPRequest, endpoint: Endpoint, acceptFailedBody: Bool) async throws(SegmindError) -> (body: JSONValue, headers: HTTPHeaders) {
        try await withReadRetries { () async throws(SegmindError) -> ReadAttempt<(body: JSONValue, headers: HTTPHeaders)> in
            try await waitForTurn(.read)
            let response: HTTPResponse
            do throws(HTTPClientError) {
                response = try await http.execute(request)
                DaemonMetrics.segmindAnswered(endpoint: endpoint.metricsLabel, status: response.status)
            } catch {
                if error == .cancelled { throw .cancelled }
                if case .truncatedResponse = error {
                    return .failed(.malformedResponse(status: 0, detail: error.description))
                }
                return .failed(.network(error))
            }
            if response.isSuccess {
                if let body = try? JSONParser().parse(response.body), body.objectValue != nil {
                    return .done((body, response.headers))
                }
                return .failed(.malformedResponse(status: response.status, detail: "the answer is not a JSON object"))
            }
            if acceptFailedBody, response.status == 422,
                let body = try? JSONParser().parse(response.body), body["status"]?.stringValue == "FAILED"
            {
                return .done((body, response.headers))
            }
            return .failed(errors.error(status: response.status, headers: response.headers, body: response.body, endpoint: endpoint))
        }
    }

    /// One try of a repeatable request: its value, or the failure to judge for a retry.
    enum ReadAttempt<Value> {
        case done(Value)
        case failed(SegmindError)
    }

    /// Runs `body` until it succeeds, a failure is not worth repeating, or the read policy's attempts run out.
    func withReadRetries<Value>(_ body: () async throws(SegmindError) -> ReadAttempt<Value>) async throws(SegmindError) -> Value {
        let policy = configuration.readRetry
        var attempt = 0
        while true {
            attempt += 1
            try Self.checkCancellation()
            switch try await body() {
            case .done(let value):
                return value
            case .failed(let failure):
                guard let wait = await waitBeforeRetry(after: failure, attempt: attempt, policy: policy) else {
                    throw failure
                }
                logger.debug("retrying", metadata: ["error": "\(failure.code)", "attempt": "\(attempt)"])
                try await Self.sleep(wait)
            }
        }
    }

    /// How long to wait before repeating after `failure`, or nil when it must not be repeated.
    func retryDelay(for failure: SegmindError, attempt: Int, policy: RetryPolicy) -> Duration? {
        let backoff = policy.delay(afterAttempt: attempt)
        switch failure {
        case .rateLimited(let retryAt, _):
            guard let retryAt else { return backoff }
            let seconds = retryAt.timeIntervalSinceNow
            guard seconds <= Double(policy.maxRateLimitWait.components.seconds) else { return nil }
            return max(backoff, .milliseconds(Int(max(0, seconds) * 1000)))
        case .serverError, .malformedResponse, .network:
            return backoff
        default:
            return nil
        }
    }

    /// Accepts a URL from Segmind only on the configured origin, so the key is never sent elsewhere.
    private func sameOrigin(_ url: String?) -> String? {
        guard let url, url.hasPrefix(configuration.baseURL + "/") else { return nil }
        return url
    }

    static func status(from body: JSONValue, requestID: String) throws(SegmindError) -> RequestStatus {
        guard let raw = body["status"]?.stringValue, let state = RequestStatus.State(rawValue: raw.uppercased()) else {
            throw .malformedResponse(status: 200, detail: "the answer has no known `status`")
        }
        return RequestStatus(
            requestID: requestID,
            state: state,
            metrics: GenerationMetrics(body["metrics"]),
            error: body["error"]?.stringValue
        )
    }

    /// The outputs of a result: `images[]` when present, else `output` as one URL or a list.
    static func outputs(in body: JSONValue) -> [OutputReference] {
        if let images = body["images"]?.arrayValue, !images.isEmpty {
            let listed = images.compactMap { image -> OutputReference? in
                guard let url = image["url"]?.stringValue else { return nil }
                return OutputReference(
                    url: url,
                    contentType: image["content_type"]?.stringValue,
                    fileName: image["file_name"]?.stringValue,
                    fileSize: image["file_size"]?.intValue
                )
            }
            if !listed.isEmpty { return listed }
        }
        switch body["output"] {
        case .string(let url)?:
            return [OutputReference(url: url)]
        case .array(let list)?:
            return list.compactMap(\.stringValue).map { OutputReference(url: $0) }
        default:
            return []
        }
    }

    static func isSafeRequestID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 128 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? text
    }

    /// What a path segment may hold unencoded; made once, as building it costs more than the encoding.
    private static let segmentAllowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))

    static func checkCancellation() throws(SegmindError) {
        if Task.isCancelled { throw .cancelled }
    }

    static func sleep(_ duration: Duration) async throws(SegmindError) {
        do {
            try await TimerClock().sleep(for: duration)
        } catch {
            throw .cancelled
        }
    }
}
