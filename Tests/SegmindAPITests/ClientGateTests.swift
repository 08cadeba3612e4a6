import CurlHTTP
import FacedropTestSupport
import Foundation
import SegmindAPI
import SegmindCatalog
import SegmindEmulator
import Synchronization
import Testing

/// A gate that admits at once and remembers what it was asked.
final class CountingGate: RequestGate {
    private let admits = Mutex(0)
    private let holds = Mutex<[ContinuousClock.Instant]>([])

    var admitted: Int { admits.withLock { $0 } }
    var rateLimits: [ContinuousClock.Instant] { holds.withLock { $0 } }

    func admit() async throws(CancellationError) {
        admits.withLock { $0 += 1 }
    }

    func rateLimited(until: ContinuousClock.Instant) async {
        holds.withLock { $0.append(until) }
    }
}

/// A gate that never admits: every request waits until its task is cancelled.
final class ClosedGate: RequestGate {
    private let waits = Mutex(0)

    var waiting: Int { waits.withLock { $0 } }

    func admit() async throws(CancellationError) {
        waits.withLock { $0 += 1 }
        do {
            try await Task.sleep(for: .seconds(3600))
        } catch {
            throw CancellationError()
        }
    }

    func rateLimited(until: ContinuousClock.Instant) async {}
}

@Suite("Segmind client: every API request passes the request gate")
struct ClientGateTests {
    let id = "2c7f59ea-13f1-402c-9353-915a2b5a2124"

    @Test("each API request and each retry is admitted once; output downloads are not gated")
    func oneAdmitPerAttempt() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(
            .json(503, #"{"error":"busy"}"#),
            .json(200, acceptedBody),
            .json(500, #"{"error":"oops"}"#),
            // Not a dropped connection: libcurl itself resends a request whose kept-alive connection died.
            .truncated(#"{"status":"COMP"#),
            .json(200, #"{"status":"COMPLETED","request_id":"\#(id)","metrics":{}}"#),
            .json(200, #"{"status":"COMPLETED","error":null,"metrics":{},"output":"\#(server.baseURL)/generations/a.png"}"#),
            .json(200, #"{"credits":4.5,"free-credits":0}"#),
            .json(200, #"{"file_urls":["http://x/assets/1.jpg"]}"#),
            .text(200, "IMAGEBYTES")
        )
        let gate = CountingGate()
        let client = try makeClient(server, gate: gate)
        let request = try await client.submit(model: "flux-pulid", body: sampleBody)
        #expect(gate.admitted == 2)
        #expect(try await client.status(of: request).state == .completed)
        #expect(gate.admitted == 5)
        let result = try await client.result(of: request)
        _ = try await client.credits()
        _ = try await client.uploadAssets([([0xFF, 0xD8, 0xFF], "image/jpeg")])
        #expect(gate.admitted == 8)
        let folder = try TemporaryDirectory()
        _ = try await client.download(try #require(result.outputs.first), to: folder.appending("a.png"))
        #expect(server.requests.count == 9)
        #expect(gate.admitted == 8, "the download went to the CDN without asking the gate")
        #expect(gate.rateLimits.isEmpty)
    }

    @Test("a 429 holds the gate until Segmind's reset time, and the retry is admitted again")
    func rateLimitWithReset() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(
            .json(429, #"{"error":"slow down"}"#, headers: ["Retry-After": "1"]),
            .json(200, #"{"status":"QUEUED","request_id":"\#(id)","metrics":{}}"#)
        )
        let gate = CountingGate()
        let client = try makeClient(server, gate: gate)
        let before = ContinuousClock.now
        _ = try await client.status(of: client.handle(forRequestID: id, model: "flux-pulid"))
        #expect(gate.admitted == 2)
        let hold = try #require(gate.rateLimits.first)
        #expect(gate.rateLimits.count == 1)
        #expect(hold >= before + .milliseconds(900))
        #expect(hold <= ContinuousClock.now + .seconds(1))
    }

    @Test("a 429 without a reset header holds the gate for the backoff")
    func rateLimitWithoutHeader() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(.json(429, #"{"error":"slow down"}"#), .json(200, acceptedBody))
        let gate = CountingGate()
        let client = try makeClient(server, gate: gate)
        let before = ContinuousClock.now
        _ = try await client.submit(model: "flux-pulid", body: sampleBody)
        #expect(gate.admitted == 2)
        let hold = try #require(gate.rateLimits.first)
        // The test policy backs off 20 ms × (1 ± 0.2) after the first attempt.
        #expect(hold > before)
        #expect(hold <= before + .seconds(5))
    }

    @Test("the emulator's rate limit is reported to the gate even when the client gives up")
    func emulatorRateLimit() async throws {
        try await withEmulator(EmulatorConfiguration(timeScale: 0.01, requestsPerMinute: 2)) { _, url in
            let gate = CountingGate()
            let fast = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(80), maxRateLimitWait: .seconds(2))
            let configuration = SegmindConfiguration(
                baseURL: url.absoluteString,
                apiKey: APIKey("emulator-key"),
                readRetry: fast,
                submitRetry: fast,
                gate: gate
            )
            let client = SegmindClient(configuration: configuration, http: try CurlHTTP.HTTPClient())
            // Polls count toward the emulator's limit: two unknown requests answer 404, the third 429.
            let handle = client.handle(forRequestID: "unknown-1", model: "flux-pulid")
            let before = ContinuousClock.now
            for _ in 0..<2 {
                await #expect(throws: SegmindError.requestExpired(requestID: "unknown-1", message: "Request unknown-1 not found")) {
                    _ = try await client.status(of: handle)
                }
            }
            let error = await #expect(throws: SegmindError.self) { _ = try await client.status(of: handle) }
            #expect(error?.code == "rate_limited")
            #expect(gate.admitted == 3, "a reset a minute away is beyond the policy's wait: no retry")
            let hold = try #require(gate.rateLimits.first)
            #expect(gate.rateLimits.count == 1)
            // The emulator's window frees a minute after the first request.
            #expect(hold >= before + .seconds(30))
            #expect(hold <= ContinuousClock.now + .seconds(61))
        }
    }

    @Test("a request cancelled while the gate holds it is never sent and fails as cancelled")
    func cancelledWhileWaiting() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        let gate = ClosedGate()
        let client = try makeClient(server, gate: gate)
        let submit = Task { try await client.submit(model: "flux-pulid", body: sampleBody) }
        #expect(await eventually { gate.waiting == 1 })
        submit.cancel()
        let outcome = await submit.result
        #expect(throws: SegmindError.cancelled) { try outcome.get() }
        #expect(server.requests.isEmpty)
    }
}
