import CurlHTTP
import Foundation
import SegmindAPI
import SegmindCatalog
import StrictJSON
import Synchronization
import Testing

/// One submit attempt at a time, sorted by the question that matters for a paid request: could it have been billed?
@Suite("Segmind client: one submit attempt, and whether it may have been billed")
struct ClientSubmitAttemptTests {
    /// Sends one attempt against a single scripted answer.
    func attempt(_ answer: ScriptedSegmind.Answer) async throws -> SubmitAttempt {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(answer)
        return try await makeClient(server).sendSubmit(model: "flux-pulid", body: sampleBody)
    }

    @Test("accepted, and the 2xx variants: a 200 is accepted; any 2xx that cannot be read may be billed")
    func accepted() async throws {
        guard case .accepted(let request) = try await attempt(.json(200, acceptedBody)) else {
            Issue.record("a 200 with a request id is accepted")
            return
        }
        #expect(request.requestID == "2c7f59ea-13f1-402c-9353-915a2b5a2124")
        for answer in [ScriptedSegmind.Answer.json(200, #"{"status":"QUEUED"}"#), .json(202, "{}"), .text(201, "created")] {
            guard case .outcomeUnknown(let error) = try await attempt(answer) else {
                Issue.record("\(answer) must be an unknown outcome")
                continue
            }
            #expect(error.code == "outcome_unknown")
        }
    }

    @Test("429 and 5xx cost nothing and are worth another try; 400, 401, 403, 404, 406 and 410 are refusals")
    func retryableAndRefused() async throws {
        for status in [429, 500, 502, 503, 504] {
            guard case .retryable = try await attempt(.json(status, #"{"error":"busy"}"#)) else {
                Issue.record("\(status) must be retryable")
                continue
            }
        }
        for (status, code) in [
            (400, "bad_request"), (401, "unauthorized"), (403, "forbidden"), (404, "model_not_found"), (406, "insufficient_credits"), (410, "model_retired"),
        ] {
            guard case .refused(let error) = try await attempt(.json(status, #"{"error":"no"}"#)) else {
                Issue.record("\(status) must be a refusal")
                continue
            }
            #expect(error.code == code)
        }
    }

    @Test("a connection dropped after the body left, or an answer cut short, may have been billed")
    func lostAfterSending() async throws {
        for answer in [ScriptedSegmind.Answer.drop, .truncated(acceptedBody)] {
            guard case .outcomeUnknown = try await attempt(answer) else {
                Issue.record("\(answer) must be an unknown outcome")
                continue
            }
        }
    }

    @Test("nothing listening, or a hook that refuses: not sent, so worth another try; the hook runs only once connected")
    func notSent() async throws {
        let server = try await ScriptedSegmind.start()
        let client = try makeClient(server)
        server.then(.json(200, acceptedBody))
        let calls = Atomic<Int>(0)
        guard
            case .retryable(.network(.refusedBeforeSending)) = await client.sendSubmit(
                model: "flux-pulid",
                body: sampleBody,
                beforeSending: {
                    calls.add(1, ordering: .sequentiallyConsistent)
                    return false
                }
            )
        else {
            Issue.record("a refusing hook must leave the submit unsent")
            return
        }
        #expect(calls.load(ordering: .sequentiallyConsistent) == 1)
        #expect(server.requests.isEmpty)
        await server.stop()
        guard
            case .retryable(.network(let error)) = await client.sendSubmit(
                model: "flux-pulid",
                body: sampleBody,
                beforeSending: {
                    calls.add(1, ordering: .sequentiallyConsistent)
                    return true
                }
            )
        else {
            Issue.record("a refused connection must leave the submit unsent")
            return
        }
        #expect(!error.requestMayHaveReachedServer)
        #expect(calls.load(ordering: .sequentiallyConsistent) == 1)
    }

    @Test("a finished result is stored with the emulator's mark and read back with it")
    func storedResult() throws {
        let body: JSONValue = ["status": "COMPLETED", "output": "https://cdn.example/a.png", "metrics": ["cost": 0.05]]
        var result = try #require(SegmindClient.storedResult(body, requestID: "r-1"))
        #expect(result.emulator == nil)
        #expect(SegmindClient.storedBody(of: result) == body)
        result.emulator = "facedrop"
        let stored = SegmindClient.storedBody(of: result)
        let again = try #require(SegmindClient.storedResult(stored, requestID: "r-1"))
        #expect(again.emulator == "facedrop")
        #expect(again.body == body)
        #expect(again.outputs.map(\.url) == ["https://cdn.example/a.png"])
        #expect(again.metrics.cost == 0.05)
        #expect(SegmindClient.storedResult(["status": "PROCESSING"], requestID: "r-1") == nil)
    }
}
