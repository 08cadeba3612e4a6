import CurlHTTP
import FacedropTestSupport
import FlyingFox
import Foundation
import Testing

@Suite("HTTPClient over libcurl")
struct HTTPClientTests {
    @Test("GET returns status, headers and body")
    func getReturnsResponse() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            FlyingFox.HTTPResponse(
                statusCode: .ok,
                headers: [HTTPHeader("X-Remaining-Credits"): "12.5"],
                body: Data("hello \(request.path)".utf8)
            )
        }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        let response = try await client.execute(CurlHTTP.HTTPRequest(url: server.baseURL + "/ping"))
        #expect(response.status == 200)
        #expect(response.isSuccess)
        #expect(response.headers["x-remaining-credits"] == "12.5")
        #expect(String(decoding: response.body, as: UTF8.self) == "hello /ping")
    }

    @Test("POST sends the body and headers unchanged")
    func postSendsBody() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            let body = try await request.bodyData
            let key = request.headers[HTTPHeader("x-api-key")] ?? "none"
            let type = request.headers[.contentType] ?? "none"
            return FlyingFox.HTTPResponse(statusCode: .ok, body: Data("\(key)|\(type)|".utf8) + body)
        }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        let payload = Array(#"{"prompt":"a portrait"}"#.utf8)
        let response = try await client.execute(
            CurlHTTP.HTTPRequest(
                method: .post,
                url: server.baseURL + "/v2/flux-pulid",
                headers: ["x-api-key": "k1", "Content-Type": "application/json"],
                body: payload
            )
        )
        #expect(String(decoding: response.body, as: UTF8.self) == #"k1|application/json|{"prompt":"a portrait"}"#)
    }

    @Test("many concurrent requests share one client")
    func concurrentRequests() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            FlyingFox.HTTPResponse(statusCode: .ok, body: Data(request.path.utf8))
        }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let response = try await client.execute(CurlHTTP.HTTPRequest(url: server.baseURL + "/n/\(index)"))
                    return String(decoding: response.body, as: UTF8.self)
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(paths == Set((0..<64).map { "/n/\($0)" }))
    }

    @Test("a body over the in-memory cap aborts with responseTooLarge")
    func memoryCap() async throws {
        let big = Data(repeating: 0x41, count: 300_000)
        let server = try await LoopbackHTTPServer.start { _ in FlyingFox.HTTPResponse(statusCode: .ok, body: big) }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient(configuration: HTTPClientConfiguration(maxResponseBytes: 100_000))
        await #expect(throws: HTTPClientError.responseTooLarge(limit: 100_000)) {
            _ = try await client.execute(CurlHTTP.HTTPRequest(url: server.baseURL + "/big"))
        }
        // A per-request cap wins over the client's.
        let fine = try await client.execute(CurlHTTP.HTTPRequest(url: server.baseURL + "/big", maxResponseBytes: 400_000))
        #expect(fine.body.count == 300_000)
    }

    @Test("the cap holds for a chunked body that announces no length")
    func streamingCap() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            let chunks = Data(repeating: 0x42, count: 200_000)
            return FlyingFox.HTTPResponse(
                statusCode: .ok,
                headers: [.transferEncoding: "chunked"],
                body: HTTPBodySequence(data: chunks)
            )
        }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        let request = CurlHTTP.HTTPRequest(url: server.baseURL + "/stream", maxResponseBytes: 50_000)
        await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(request)
        }
    }

    @Test("a download streams to a file; a failed one leaves no file")
    func downloadToFile() async throws {
        let payload = Data((0..<500_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let server = try await LoopbackHTTPServer.start { _ in FlyingFox.HTTPResponse(statusCode: .ok, body: payload) }
        defer { Task { await server.stop() } }
        let folder = try TemporaryDirectory()
        let client = try CurlHTTP.HTTPClient(configuration: HTTPClientConfiguration(maxDownloadBytes: 1_000_000))
        let path = folder.appending("out.bin")
        let download = try await client.download(CurlHTTP.HTTPRequest(url: server.baseURL + "/img"), to: path)
        #expect(download.status == 200)
        #expect(download.byteCount == 500_000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == payload)

        let capped = folder.appending("capped.bin")
        await #expect(throws: HTTPClientError.responseTooLarge(limit: 1000)) {
            _ = try await client.download(
                CurlHTTP.HTTPRequest(url: server.baseURL + "/img", maxResponseBytes: 1000),
                to: capped
            )
        }
        #expect(!FileManager.default.fileExists(atPath: capped))
    }

    @Test("a refused connection provably never reached the server")
    func refusedConnection() async throws {
        let server = try await LoopbackHTTPServer.start { _ in FlyingFox.HTTPResponse(statusCode: .ok) }
        let url = server.baseURL
        await server.stop()
        let client = try CurlHTTP.HTTPClient()
        do {
            _ = try await client.execute(CurlHTTP.HTTPRequest(method: .post, url: url + "/v2/x", body: [1]))
            Issue.record("expected a connection failure")
        } catch {
            guard case .couldNotConnect = error else {
                Issue.record("expected couldNotConnect, got \(error)")
                return
            }
            #expect(!error.requestMayHaveReachedServer)
        }
    }

    @Test("an unknown host fails before anything is sent")
    func unresolvableHost() async throws {
        let client = try CurlHTTP.HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(5)))
        do {
            _ = try await client.execute(CurlHTTP.HTTPRequest(url: "http://facedrop-no-such-host.invalid/"))
            Issue.record("expected a resolution failure")
        } catch {
            #expect(!error.requestMayHaveReachedServer)
            guard case .couldNotResolveHost = error else {
                Issue.record("expected couldNotResolveHost, got \(error)")
                return
            }
        }
    }

    @Test("a connection closed without an answer may have reached the server")
    func closedWithoutAnswer() async throws {
        let server = try await LoopbackHTTPServer.start { _ in FlyingFox.HTTPResponse(webSocket: DropConnection()) }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        do {
            _ = try await client.execute(CurlHTTP.HTTPRequest(method: .post, url: server.baseURL + "/v2/x", body: [1, 2, 3]))
            Issue.record("expected the connection to be lost")
        } catch {
            guard case .connectionLost(requestSent: true, _) = error else {
                Issue.record("expected connectionLost after sending, got \(error)")
                return
            }
            #expect(error.requestMayHaveReachedServer)
        }
    }

    @Test("a slow answer times out after the request was sent")
    func timeoutAfterSending() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            try await Task.sleep(for: .seconds(3))
            return FlyingFox.HTTPResponse(statusCode: .ok)
        }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        await #expect(throws: HTTPClientError.timedOut(requestSent: true)) {
            _ = try await client.execute(
                CurlHTTP.HTTPRequest(method: .post, url: server.baseURL + "/slow", body: [1], timeout: .milliseconds(300))
            )
        }
    }

    @Test("a body cut short is reported as truncated")
    func truncatedBody() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            FlyingFox.HTTPResponse(
                statusCode: .ok,
                body: HTTPBodySequence(from: CutShortBody(prefix: Array("{\"status\":".utf8)), count: 100)
            )
        }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        await #expect(throws: HTTPClientError.truncatedResponse(receivedBytes: 10)) {
            _ = try await client.execute(CurlHTTP.HTTPRequest(url: server.baseURL + "/cut"))
        }
    }

    @Test("cancelling the waiting task aborts the transfer at once")
    func cancellation() async throws {
        let server = try await LoopbackHTTPServer.start { _ in
            try await Task.sleep(for: .seconds(10))
            return FlyingFox.HTTPResponse(statusCode: .ok)
        }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        let started = ContinuousClock.now
        let task = Task {
            try await client.execute(CurlHTTP.HTTPRequest(url: server.baseURL + "/hang"))
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        #expect(throws: HTTPClientError.cancelled) { try result.get() }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("a shut-down client refuses new requests")
    func shutdownRefuses() async throws {
        let client = try CurlHTTP.HTTPClient()
        client.shutdown()
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: HTTPClientError.shutDown) {
            _ = try await client.execute(CurlHTTP.HTTPRequest(url: "http://127.0.0.1:9/"))
        }
    }

    @Test("a URL with an unsupported scheme is rejected before connecting")
    func invalidURL() async throws {
        let client = try CurlHTTP.HTTPClient()
        do {
            _ = try await client.execute(CurlHTTP.HTTPRequest(url: "file:///etc/passwd"))
            Issue.record("expected the URL to be refused")
        } catch {
            #expect(!error.requestMayHaveReachedServer)
        }
    }
}
