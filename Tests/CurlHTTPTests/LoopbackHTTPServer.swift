import FacedropTestSupport
import FlyingFox
import FlyingSocks
import Foundation

/// A FlyingFox server on 127.0.0.1 with a port chosen by the system, answering with a test's closure.
struct LoopbackHTTPServer {
    let server: HTTPServer
    let task: Task<Void, any Error>
    let port: UInt16

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(
        handler: @Sendable @escaping (FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse
    ) async throws -> LoopbackHTTPServer {
        let server = HTTPServer(
            address: try .inet(ip4: "127.0.0.1", port: 0),
            timeout: 30,
            logger: .disabled,
            handler: ClosureHTTPHandler(handler)
        )
        let task = serverTask { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port) = await server.listeningAddress else {
            throw LoopbackServerError.noPort
        }
        return LoopbackHTTPServer(server: server, task: task, port: port)
    }

    func stop() async {
        await server.stop()
        task.cancel()
    }
}

enum LoopbackServerError: Error {
    case noPort
}
