import CurlHTTP
import FacedropTestSupport
import FlyingFox
import Foundation
import Synchronization
import Testing

/// The hook that runs once a connection is made and right before a request is sent: where the daemon journals
/// its intent to submit, so the intent is on disk exactly when the request may reach the server.
@Suite("HTTPClient: a hook right before the request is sent")
struct HTTPClientBeforeSendingTests {
    final class Calls: Sendable {
        let count = Atomic<Int>(0)
        /// Requests the server received when the hook ran.
        let receivedAtCall = Mutex<[Int]>([])
    }

    @Test("the hook runs once, after the connection and before the server has the request, and may block; true sends it")
    func hookRunsBeforeSending() async throws {
        let received = Atomic<Int>(0)
        let server = try await LoopbackHTTPServer.start { request in
            _ = try await request.bodyData
            received.add(1, ordering: .sequentiallyConsistent)
            return FlyingFox.HTTPResponse(statusCode: .ok, body: Data("ok".utf8))
        }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        let calls = Calls()
        let request = CurlHTTP.HTTPRequest(method: .post, url: server.baseURL + "/v2/x", body: [1, 2, 3]) {
            calls.count.add(1, ordering: .sequentiallyConsistent)
            calls.receivedAtCall.withLock { $0.append(received.load(ordering: .sequentiallyConsistent)) }
            Thread.sleep(forTimeInterval: 0.2)  // a durable write takes a while; the transfer waits for it
            return true
        }
        let response = try await client.execute(request)
        #expect(response.status == 200)
        #expect(calls.count.load(ordering: .sequentiallyConsistent) == 1)
        #expect(calls.receivedAtCall.withLock { $0 } == [0])
        #expect(received.load(ordering: .sequentiallyConsistent) == 1)
        // The hook is per request: a second request on the reused connection asks its own.
        _ = try await client.execute(request)
        #expect(calls.count.load(ordering: .sequentiallyConsistent) == 2)
        #expect(received.load(ordering: .sequentiallyConsistent) == 2)
    }

    @Test("a hook that refuses sends nothing: the server never sees the request, and the error says it was not sent")
    func refusedHookSendsNothing() async throws {
        let received = Atomic<Int>(0)
        let server = try await LoopbackHTTPServer.start { _ in
            received.add(1, ordering: .sequentiallyConsistent)
            return FlyingFox.HTTPResponse(statusCode: .ok)
        }
        defer { Task { await server.stop() } }
        let client = try CurlHTTP.HTTPClient()
        do {
            _ = try await client.execute(CurlHTTP.HTTPRequest(method: .post, url: server.baseURL + "/v2/x", body: [1]) { false })
            Issue.record("expected the request to be refused")
        } catch {
            #expect(error == .refusedBeforeSending)
            #expect(!error.requestMayHaveReachedServer)
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(received.load(ordering: .sequentiallyConsistent) == 0)
        // The client goes on working.
        #expect(try await client.execute(CurlHTTP.HTTPRequest(url: server.baseURL + "/after")).status == 200)
    }

    @Test("when no connection can be made the hook never runs")
    func noConnectionNoHook() async throws {
        let server = try await LoopbackHTTPServer.start { _ in FlyingFox.HTTPResponse(statusCode: .ok) }
        let url = server.baseURL
        await server.stop()
        let calls = Calls()
        let client = try CurlHTTP.HTTPClient()
        do {
            _ = try await client.execute(
                CurlHTTP.HTTPRequest(method: .post, url: url + "/v2/x", body: [1]) {
                    calls.count.add(1, ordering: .sequentiallyConsistent)
                    return true
                }
            )
            Issue.record("expected a connection failure")
        } catch {
            #expect(!error.requestMayHaveReachedServer)
        }
        #expect(calls.count.load(ordering: .sequentiallyConsistent) == 0)
    }
}
