import CurlHTTP
import FacedropTestSupport
import Foundation
import InMemoryLogging
import Logging
import SegmindAPI
import SegmindCatalog
import StrictJSON
import Synchronization
import Testing

@Suite("Segmind client: polls, results, credits, uploads and downloads")
struct ClientPollingTests {
    let id = "2c7f59ea-13f1-402c-9353-915a2b5a2124"

    @Test("status reads QUEUED, PROCESSING and COMPLETED with metrics")
    func statusStates() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(
            .json(200, #"{"status":"QUEUED","request_id":"\#(id)","metrics":{}}"#),
            .json(200, #"{"status":"PROCESSING","request_id":"\#(id)","metrics":{}}"#),
            .json(200, #"{"status":"COMPLETED","request_id":"\#(id)","metrics":{"inference_time":13.06}}"#)
        )
        let client = try makeClient(server)
        let handle = client.handle(forRequestID: id, model: "flux-pulid")
        #expect(try await client.status(of: handle).state == .queued)
        #expect(try await client.status(of: handle).state == .processing)
        let done = try await client.status(of: handle)
        #expect(done.state == .completed)
        #expect(done.metrics.inferenceTime == 13.06)
        #expect(server.requests.map(\.path) == Array(repeating: "/v2/requests/\(id)/status", count: 3))
    }

    @Test("a FAILED request is served as 422 on status and result alike")
    func failedIs422() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        let failed = #"{"status":"FAILED","error":"Content blocked","metrics":{"inference_time":0.008},"request_id":"\#(id)"}"#
        server.then(.json(422, failed), .json(422, failed))
        let client = try makeClient(server)
        let handle = client.handle(forRequestID: id, model: "flux-pulid")
        let status = try await client.status(of: handle)
        #expect(status.state == .failed)
        #expect(status.error == "Content blocked")
        await #expect(throws: SegmindError.generationFailed(requestID: id, message: "Content blocked")) {
            _ = try await client.result(of: handle)
        }
        #expect(server.requests.count == 2)
    }

    @Test("an expired record (404) is not retried")
    func expired() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(.json(404, #"{"error":"Request \#(id) not found"}"#))
        let client = try makeClient(server)
        let error = await #expect(throws: SegmindError.self) {
            _ = try await client.status(of: client.handle(forRequestID: id, model: "flux-pulid"))
        }
        #expect(error == .requestExpired(requestID: id, message: "Request \(id) not found"))
        #expect(error?.code == "expired")
        #expect(server.requests.count == 1)
    }

    @Test("GETs back off and retry on 5xx, truncated and malformed bodies and dropped connections")
    func readsRetry() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(
            .json(503, #"{"error":"busy"}"#),
            .truncated(#"{"status":"COMP"#),
            .json(200, "{not json"),
            .drop,
            .json(200, #"{"status":"PROCESSING","request_id":"\#(id)","metrics":{}}"#)
        )
        let client = try makeClient(server, readAttempts: 5)
        let started = ContinuousClock.now
        let status = try await client.status(of: client.handle(forRequestID: id, model: "flux-pulid"))
        #expect(status.state == .processing)
        #expect(server.requests.count == 5)
        // Four waits of at least 20 ms × (1 - jitter) each, growing: the client did back off.
        #expect(ContinuousClock.now - started >= .milliseconds(60))
    }

    @Test("GET retries stop after the policy's attempts")
    func readsGiveUp() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(.json(500, #"{"error":"a"}"#), .json(500, #"{"error":"b"}"#), .json(500, #"{"error":"c"}"#))
        let client = try makeClient(server, readAttempts: 3)
        await #expect(throws: SegmindError.serverError(status: 500, message: "c")) {
            _ = try await client.status(of: client.handle(forRequestID: id, model: "flux-pulid"))
        }
        #expect(server.requests.count == 3)
    }

    @Test("429 honours Retry-After")
    func honoursRetryAfter() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(
            .json(429, #"{"error":"slow down"}"#, headers: ["Retry-After": "1"]),
            .json(200, #"{"status":"QUEUED","request_id":"\#(id)","metrics":{}}"#)
        )
        let client = try makeClient(server)
        let started = ContinuousClock.now
        _ = try await client.status(of: client.handle(forRequestID: id, model: "flux-pulid"))
        #expect(ContinuousClock.now - started >= .milliseconds(950))
        #expect(server.requests.count == 2)
    }

    @Test("429 honours x-rate-limit-reset-at-utc")
    func honoursResetHeader() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        let reset = Date().addingTimeInterval(1.2).formatted(.iso8601)
        server.then(
            .json(429, #"{"error":"rate limited"}"#, headers: ["x-rate-limit-reset-at-utc": reset]),
            .json(200, #"{"credits":4.5,"free-credits":0.25}"#)
        )
        let client = try makeClient(server)
        let started = ContinuousClock.now
        let balance = try await client.credits()
        #expect(ContinuousClock.now - started >= .milliseconds(150))
        #expect(balance == CreditBalance(credits: 4.5, freeCredits: 0.25))
        #expect(server.requests.map(\.path) == ["/v1/get-user-credits", "/v1/get-user-credits"])
    }

    @Test("the result reads images[], else output as a string or a list")
    func resultShapes() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(
            .json(
                200,
                #"{"status":"COMPLETED","error":null,"metrics":{"inference_time":1.5,"cost":0.036,"remaining_credits":9.1},"output":"http://x/a.png","images":[{"url":"http://x/a.png","content_type":"image/png","file_name":"a.png","file_size":10},{"url":"http://x/b.png"}]}"#
            ),
            .json(200, #"{"status":"COMPLETED","error":null,"metrics":{},"output":"http://x/only.webp"}"#),
            .json(200, #"{"status":"COMPLETED","error":null,"metrics":{},"output":["http://x/1.jpg","http://x/2.jpg"]}"#),
            .json(200, #"{"status":"COMPLETED","error":null,"metrics":{}}"#)
        )
        let client = try makeClient(server)
        let handle = client.handle(forRequestID: id, model: "flux-pulid")
        let first = try await client.result(of: handle)
        #expect(first.outputs.map(\.url) == ["http://x/a.png", "http://x/b.png"])
        #expect(first.outputs[0].fileSize == 10)
        #expect(first.metrics.cost == 0.036)
        #expect(first.metrics.remainingCredits == 9.1)
        #expect(try await client.result(of: handle).outputs.map(\.url) == ["http://x/only.webp"])
        #expect(try await client.result(of: handle).outputs.map(\.url) == ["http://x/1.jpg", "http://x/2.jpg"])
        await #expect(throws: SegmindError.self) { _ = try await client.result(of: handle) }
    }

    @Test("waitForResult polls first at the expected run time, then backs off until COMPLETED")
    func waiting() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(
            .json(200, #"{"status":"PROCESSING","request_id":"\#(id)","metrics":{}}"#),
            .json(200, #"{"status":"COMPLETED","request_id":"\#(id)","metrics":{"inference_time":0.3}}"#),
            .json(200, #"{"status":"COMPLETED","error":null,"metrics":{"inference_time":0.3},"output":"http://x/a.png"}"#)
        )
        let client = try makeClient(server)
        let seen = LockedList<RequestStatus.State>()
        let started = ContinuousClock.now
        let result = try await client.waitForResult(
            of: client.handle(forRequestID: id, model: "flux-pulid"),
            schedule: .init(firstPoll: .milliseconds(300), interval: .milliseconds(100))
        ) { seen.append($0.state) }
        #expect(ContinuousClock.now - started >= .milliseconds(400))
        #expect(seen.values == [.processing, .completed])
        #expect(result.outputs.map(\.url) == ["http://x/a.png"])
        #expect(server.requests.map(\.path).last == "/v2/requests/\(id)")
    }

    @Test("waitForResult gives up at the deadline with the request id")
    func waitingDeadline() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        for _ in 0..<20 { server.then(.json(200, #"{"status":"PROCESSING","request_id":"\#(id)","metrics":{}}"#)) }
        let client = try makeClient(server)
        do {
            _ = try await client.waitForResult(
                of: client.handle(forRequestID: id, model: "flux-pulid"),
                schedule: .init(firstPoll: .milliseconds(50), interval: .milliseconds(50), deadline: .milliseconds(400))
            )
            Issue.record("expected a timeout")
        } catch {
            #expect(error.code == "timeout")
            #expect(error.requestID == id)
        }
    }

    @Test("uploads accept both answer shapes")
    func uploads() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(
            .json(200, #"{"file_urls":["http://x/assets/1.jpg"],"message":"Files uploaded successfully"}"#),
            .json(200, #"{"urls":["http://x/assets/2.jpg"]}"#)
        )
        let client = try makeClient(server)
        let face = try Fixtures.bytes(Fixtures.smallFaceJPEG)
        #expect(try await client.uploadAssets([(face, "image/jpeg")]) == ["http://x/assets/1.jpg"])
        #expect(try await client.uploadAssets([(face, "image/jpeg")]) == ["http://x/assets/2.jpg"])
        let sent = try JSONParser().parse(Array(try #require(server.requests.first).body.utf8))
        let dataURL = try #require(sent["data_urls"]?[0]?.stringValue)
        #expect(dataURL == "data:image/jpeg;base64," + Data(face).base64EncodedString())
        #expect(server.requests.first?.path == "/upload-asset")
    }

    @Test("downloads stream to a file without the key; a 404 output fails without a file")
    func downloads() async throws {
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(.text(200, "IMAGEBYTES"), .json(404, #"{"error":"gone"}"#))
        let client = try makeClient(server)
        let folder = try TemporaryDirectory()
        let path = folder.appending("out.png")
        let download = try await client.download(OutputReference(url: server.baseURL + "/generations/a.png"), to: path)
        #expect(download.byteCount == 10)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "IMAGEBYTES")
        #expect(server.requests.first?.apiKey == nil)
        let missing = folder.appending("missing.png")
        await #expect(throws: SegmindError.self) {
            _ = try await client.download(OutputReference(url: server.baseURL + "/generations/b.png"), to: missing)
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}

@Suite("Segmind client: the API key never leaks")
struct RedactionTests {
    @Test("a canary key appears in no error description and no log line, even when the server echoes it")
    func canary() async throws {
        let canary = "CANARY-KEY-7f3a9c1e5b"
        let server = try await ScriptedSegmind.start()
        defer { Task { await server.stop() } }
        server.then(
            .json(401, #"{"error":"Unauthorized. API key \#(canary) is invalid or may have expired..."}"#),
            .json(400, #"{"error":"bad key \#(canary)"}"#),
            .json(422, #"{"status":"FAILED","error":"failed for \#(canary)","request_id":"r1"}"#),
            .text(500, "<html>\(canary)</html>"),
            .drop
        )
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test") { _ in logs }
        logger.logLevel = .trace
        let configuration = SegmindConfiguration(
            baseURL: server.baseURL,
            apiKey: APIKey(canary),
            readRetry: .none,
            submitRetry: .none
        )
        let client = SegmindClient(configuration: configuration, http: try CurlHTTP.HTTPClient(), logger: logger)
        var descriptions: [String] = ["\(configuration.apiKey)", String(reflecting: configuration.apiKey)]
        for _ in 0..<2 {
            do { _ = try await client.submit(model: "flux-pulid", body: sampleBody) } catch {
                descriptions += [error.description, error.hint, error.segmindMessage ?? "", "\(error)"]
            }
        }
        let handle = client.handle(forRequestID: "r1", model: "flux-pulid")
        do { _ = try await client.result(of: handle) } catch { descriptions += [error.description, "\(error)"] }
        do { _ = try await client.status(of: handle) } catch { descriptions += [error.description, "\(error)"] }
        do { _ = try await client.submit(model: "flux-pulid", body: sampleBody) } catch { descriptions += [error.description] }
        #expect(descriptions.count >= 10)
        for text in descriptions {
            #expect(!text.contains(canary), "leaked in: \(text)")
        }
        let lines = logs.entries.map { "\($0)" }
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(!line.contains(canary), "leaked in log: \(line)")
        }
        // The key did travel, in the header only.
        #expect(server.requests.allSatisfy { $0.apiKey == canary })
        #expect(server.requests.allSatisfy { !$0.path.contains(canary) })
    }
}

/// A list that concurrent callbacks append to.
final class LockedList<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])
    func append(_ element: Element) { storage.withLock { $0.append(element) } }
    var values: [Element] { storage.withLock { $0 } }
}
