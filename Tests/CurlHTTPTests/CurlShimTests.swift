import DedicatedThreads
import FlyingFox
import Foundation
import Synchronization
import Testing

@testable import CurlHTTP

/// Drives libcurl through the module's wrappers directly, so every typed shim function is called and
/// its result checked: the `setopt` wrappers (long, string, pointer, off_t, slist, data callback),
/// `curl_multi_setopt`, and the `getinfo` wrappers (long, off_t, string).
@Suite("The libcurl shim")
struct CurlShimTests {
    @Test("a transfer driven by hand reports its figures through every getinfo wrapper")
    func manualTransfer() async throws {
        let server = try await LoopbackHTTPServer.start { request in
            let body = try await request.bodyData
            return FlyingFox.HTTPResponse(statusCode: .created, headers: [HTTPHeader("X-Echo"): "yes"], body: body + Data("!".utf8))
        }
        defer { Task { await server.stop() } }
        let url = server.baseURL + "/shim"
        // The loop below blocks in `curl_multi_poll`, so it runs on a thread of its own: on the cooperative pool it
        // would hold one of its few threads while the loopback server, which answers on that pool, waits for one.
        let outcome = Mutex<Result<(CurlTransferInfo, [UInt8], [String], String), any Error>?>(nil)
        let transfer = DedicatedThread.start(name: "test-curl-shim") {
            outcome.withLock { $0 = Result { try Self.transfer(to: url) } }
        }
        await transfer.exited()
        let result = try #require(outcome.withLock { $0 }).get()
        let (info, body, headers, statusLine) = result
        #expect(info.responseCode == 201)
        #expect(info.requestHeaderBytes > 0)
        #expect(info.uploadedBytes == 5)
        #expect(info.pretransferMicroseconds > 0)
        #expect(info.totalMicroseconds >= info.pretransferMicroseconds)
        #expect(info.effectiveURL == url)
        #expect(body == Array("hello!".utf8))
        #expect(headers.contains("x-echo=yes"))
        #expect(statusLine.hasPrefix("HTTP/1.1 201"))
    }

    /// Why ``transfer(to:)`` stopped. It runs off any test's task, where `#expect` and `#require` could not name
    /// the test, so it throws and the test reports.
    private struct ShimFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// One POST of "hello" to `url`, driven by hand through the multi handle; blocks until it completes (10 s
    /// at most).
    private static func transfer(to url: String) throws -> (CurlTransferInfo, [UInt8], [String], String) {
        guard let multi = CurlMulti(maxTotalConnections: 2, maxHostConnections: 1), let easy = CurlEasy() else {
            throw ShimFailure(description: "libcurl gave no handle")
        }
        let request = CurlHTTP.HTTPRequest(method: .post, url: url, headers: ["X-Test": "1"], body: Array("hello".utf8))
        if let problem = easy.configure(for: request, settings: HTTPClientConfiguration(), limit: 1000) { throw problem }
        let sink = ResponseSink(limit: 1000, destination: .memory)
        _ = easy.attach(sink)
        if let problem = multi.add(easy) { throw problem }
        var completion: CurlCompletion?
        let deadline = Date().addingTimeInterval(10)
        while completion == nil, Date() < deadline {
            _ = multi.perform()
            completion = multi.nextCompletion()
            if completion == nil { multi.poll(timeoutMilliseconds: 100) }
        }
        guard let done = completion else { throw ShimFailure(description: "no completion within 10 s") }
        guard done.easyIdentifier == easy.identifier else {
            throw ShimFailure(description: "completion for handle \(done.easyIdentifier), not \(easy.identifier)")
        }
        multi.remove(easy)
        let info = try easy.verdict(on: done, sink: sink).get()
        return (info, sink.body, sink.headers.map { "\($0.0.lowercased())=\($0.1)" }, sink.statusLine)
    }

    @Test("a failed option is reported, not ignored")
    func invalidURLOption() throws {
        let easy = try #require(CurlEasy())
        let problem = easy.configure(
            for: CurlHTTP.HTTPRequest(url: "gopher://example.invalid/"),
            settings: HTTPClientConfiguration(),
            limit: 10
        )
        // The URL itself is only checked when the transfer starts; the options are accepted.
        #expect(problem == nil)
        #expect(CurlGlobal.version.hasPrefix("libcurl/"))
    }
}
