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
        let task = Task { try await server.run() }
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
    case closedOnPurpose
}

/// Makes FlyingFox close the connection without writing a byte: it builds a WebSocket's frames before
/// sending the upgrade answer, so frames that fail to build end the connection silently.
struct SilentCloseHandler: WSHandler {
    func makeFrames(for client: AsyncThrowingStream<WSFrame, any Error>) async throws -> AsyncStream<WSFrame> {
        throw LoopbackServerError.closedOnPurpose
    }
}

/// A body that sends `prefix` and then fails, so the connection closes before the announced length.
struct BrokenBody: AsyncBufferedSequence, AsyncBufferedIteratorProtocol {
    typealias Element = UInt8
    var prefix: [UInt8]
    var sent = false

    func makeAsyncIterator() -> BrokenBody { self }

    mutating func next() async throws -> UInt8? {
        try await nextBuffer(suggested: 1)?.first
    }

    mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
        guard !sent else { throw LoopbackServerError.closedOnPurpose }
        sent = true
        return prefix
    }
}
