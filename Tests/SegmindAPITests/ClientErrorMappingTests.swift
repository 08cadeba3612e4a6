import CurlHTTP
import Foundation
import SegmindAPI
import SegmindCatalog
import StrictJSON
import Testing

/// A client pointed at a scripted server, with retries fast enough for tests.
func makeClient(
    _ server: ScriptedSegmind,
    key: String = "test-key-123",
    submitAttempts: Int = 3,
    readAttempts: Int = 4,
    requestTimeout: Duration = .seconds(20),
    gate: (any RequestGate)? = nil
) throws -> SegmindClient {
    let configuration = SegmindConfiguration(
        baseURL: server.baseURL,
        storageURL: server.baseURL,
        apiKey: APIKey(key),
        readRetry: RetryPolicy(maxAttempts: readAttempts, baseDelay: .milliseconds(20), maxDelay: .milliseconds(80)),
        submitRetry: RetryPolicy(maxAttempts: submitAttempts, baseDelay: .milliseconds(20), maxDelay: .milliseconds(80)),
        requestTimeout: requestTimeout,
        gate: gate
    )
    return SegmindClient(configuration: configuration, http: try CurlHTTP.HTTPClient())
}

let acceptedBody = #"{"request_id":"2c7f59ea-13f1-402c-9353-915a2b5a2124","status":"QUEUED"}"#
let sampleBody: [String: JSONValue] = ["prompt": "a portrait", "main_face_image": "AAAA"]

@Suite("Segmind client: every documented answer")
struct ClientErrorMappingTests {
    /// Runs one submit against a single scripted answer and returns the error it threw.
    func submitError(_ answer: ScriptedSegmind.Answer, key: String = "test-key-123") async throws -> SegmindError {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(answer)
        let client = try makeClient(server, key: key, submitAttempts: 1)
        do {
            _ = try await client.submit(model: "flux-pulid", body: sampleBody)
        } catch {
            return error
        }
        Issue.record("the submit was expected to fail")
        return .cancelled
    }

    @Test("a 200 submit gives the request handle, URLs built from the id when absent")
    func submitAccepted() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(.json(200, acceptedBody, headers: ["x-remaining-credits": "9.5"]))
        let client = try makeClient(server)
        let request = try await client.submit(model: "flux-pulid", body: sampleBody)
        #expect(request.requestID == "2c7f59ea-13f1-402c-9353-915a2b5a2124")
        #expect(request.statusURL == server.baseURL + "/v2/requests/2c7f59ea-13f1-402c-9353-915a2b5a2124/status")
        #expect(request.responseURL == server.baseURL + "/v2/requests/2c7f59ea-13f1-402c-9353-915a2b5a2124")
        #expect(request.remainingCredits == 9.5)
        let seen = try #require(server.requests.first)
        #expect(seen.method == "POST")
        #expect(seen.path == "/v2/flux-pulid")
        #expect(seen.apiKey == "test-key-123")
        #expect(seen.body == #"{"main_face_image":"AAAA","prompt":"a portrait"}"#)
    }

    @Test("status URLs on another origin are ignored, so the key never travels there")
    func foreignStatusURL() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(.json(200, #"{"request_id":"abc-1","status":"QUEUED","status_url":"http://evil.example/s","response_url":"http://evil.example/r"}"#))
        let request = try await makeClient(server).submit(model: "flux-pulid", body: sampleBody)
        #expect(request.statusURL == server.baseURL + "/v2/requests/abc-1/status")
        #expect(request.responseURL == server.baseURL + "/v2/requests/abc-1")
    }

    @Test("400 is a bad request")
    func badRequest() async throws {
        let error = try await submitError(.json(400, #"{"error":"Prompt is Mandatory"}"#))
        #expect(error == .badRequest(message: "Prompt is Mandatory"))
        #expect(error.code == "bad_request")
    }

    @Test("401 tells a missing key from an invalid one")
    func unauthorized() async throws {
        let missing = try await submitError(.json(401, #"{"error":"Missing Authorization or x-api-key in header"}"#), key: "")
        #expect(missing == .unauthorized(.missing, message: "Missing Authorization or x-api-key in header"))
        let invalid = try await submitError(.json(401, #"{"error":"Unauthorized. API key is invalid or may have expired..."}"#))
        #expect(invalid == .unauthorized(.invalid, message: "Unauthorized. API key is invalid or may have expired..."))
        #expect(missing.hint != invalid.hint)
    }

    @Test("403 is forbidden")
    func forbidden() async throws {
        #expect(try await submitError(.json(403, #"{"error":"Team may not use this model"}"#)) == .forbidden(message: "Team may not use this model"))
    }

    @Test("404 at submit is an unknown model")
    func unknownModel() async throws {
        let error = try await submitError(.json(404, #"{"error":"Model not found"}"#))
        #expect(error == .modelNotFound(model: "flux-pulid", message: "Model not found"))
    }

    @Test("406 tells missing credits from a bad content type")
    func notAcceptable() async throws {
        let credits = try await submitError(.json(406, #"{"error":"Insufficient credits. Balance: 0.01, required: 0.036"}"#))
        #expect(credits == .insufficientCredits(message: "Insufficient credits. Balance: 0.01, required: 0.036"))
        #expect(credits.code == "insufficient_credits")
        let contentType = try await submitError(.json(406, #"{"error":"Invalid content type"}"#))
        #expect(contentType == .invalidContentType(message: "Invalid content type"))
    }

    @Test("410 is a retired model")
    func retired() async throws {
        #expect(try await submitError(.json(410, #"{"error":"Model retired"}"#)) == .modelRetired(model: "flux-pulid", message: "Model retired"))
    }

    @Test("405 with an HTML body still gives a readable error")
    func htmlBody() async throws {
        let error = try await submitError(.text(405, "<html><body>Method Not Allowed</body></html>"))
        #expect(error.httpStatus == 405)
        #expect(error.segmindMessage?.contains("Method Not Allowed") == true)
    }

    @Test("5xx at submit is retried, then reported")
    func serverErrorsExhausted() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(.json(500, #"{"error":"boom"}"#), .json(502, #"{"error":"bad gateway"}"#), .json(503, #"{"error":"busy"}"#))
        let client = try makeClient(server, submitAttempts: 3)
        await #expect(throws: SegmindError.serverError(status: 503, message: "busy")) {
            _ = try await client.submit(model: "flux-pulid", body: sampleBody)
        }
        #expect(server.requests.count == 3)
    }

    @Test("a 429 or 5xx at submit is retried and the retry succeeds")
    func submitRetriedAfter429And5xx() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(.json(429, #"{"error":"rate limited"}"#), .json(504, #"{"error":"timeout"}"#), .json(200, acceptedBody))
        let request = try await makeClient(server, submitAttempts: 3).submit(model: "flux-pulid", body: sampleBody)
        #expect(request.requestID == "2c7f59ea-13f1-402c-9353-915a2b5a2124")
        #expect(server.requests.count == 3)
    }

    /// Answers after which a submit may have been billed: a dropped connection, a timeout after
    /// sending, and a 200 whose body is cut short or is not JSON.
    static let ambiguousAnswers: [ScriptedSegmind.Answer] = [
        .drop,
        .delayed(.seconds(4), 200, acceptedBody),
        .truncated(#"{"request_id":"#),
        .json(200, "not json"),
    ]

    @Test("a submit whose answer is lost or unreadable is outcome-unknown and never re-sent", arguments: 0..<4)
    func ambiguousSubmit(index: Int) async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(Self.ambiguousAnswers[index], .json(200, acceptedBody))
        // 2 s, so the answer delayed by 4 s times out; the others come at once.
        let client = try makeClient(server, submitAttempts: 3, requestTimeout: .seconds(2))
        do {
            _ = try await client.submit(model: "flux-pulid", body: sampleBody)
            Issue.record("expected outcome_unknown")
        } catch {
            #expect(error.code == "outcome_unknown")
            guard case .outcomeUnknown(let model, _) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(model == "flux-pulid")
        }
        #expect(server.requests.count == 1)
    }

    @Test("a submit cancelled in flight is outcome-unknown, never re-sent")
    func cancelledSubmit() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(.delayed(.seconds(30), 200, acceptedBody), .json(200, acceptedBody))
        let client = try makeClient(server, submitAttempts: 3)
        let task = Task { try await client.submit(model: "flux-pulid", body: sampleBody) }
        // Cancel only once the server holds the request: it has provably reached Segmind.
        let patience = ContinuousClock.now + .seconds(20)
        while server.requests.isEmpty, ContinuousClock.now < patience {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        let result = await task.result
        #expect(throws: SegmindError.self) { try result.get() }
        if case .failure(let error as SegmindError) = result {
            #expect(error.code == "outcome_unknown")
        }
        #expect(server.requests.count == 1)
    }

    @Test("a submit to a closed port never reached Segmind: retried, then a network error")
    func connectFailureRetried() async throws {
        let server = try await ScriptedSegmind.start()
        let client = try makeClient(server, submitAttempts: 2)
        await server.stop()
        do {
            _ = try await client.submit(model: "flux-pulid", body: sampleBody)
            Issue.record("expected a network error")
        } catch {
            guard case .network(let cause) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(!cause.requestMayHaveReachedServer)
        }
    }
}
