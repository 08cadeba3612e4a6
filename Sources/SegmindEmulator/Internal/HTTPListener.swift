import DedicatedThreads
import FlyingFox
import FlyingSocks
import Foundation

/// The one place that knows FlyingFox: it binds the socket, turns FlyingFox requests into
/// ``EmulatorRequest``s and ``EmulatorResponse``s back into bytes, dropped connections or
/// truncated bodies.
final class HTTPListener: Sendable {
    /// The port actually bound.
    let port: UInt16
    private let server: HTTPServer
    private let task: Task<Void, any Error>

    private init(port: UInt16, server: HTTPServer, task: Task<Void, any Error>) {
        self.port = port
        self.server = server
        self.task = task
    }

    /// The emulators' threads, made at the first start: two, whatever the machine.
    static let executor = ThreadPoolExecutor(width: 2, name: "emulator")

    /// Binds `host:port` and serves every request through `handler`.
    static func start(
        host: String,
        port: UInt16,
        handlerTimeout: Double,
        handler: @escaping @Sendable (EmulatorRequest) async -> EmulatorResponse
    ) async throws -> HTTPListener {
        let address: sockaddr_in
        do {
            address = try .inet(ip4: host, port: port)
        } catch {
            throw EmulatorError.invalidAddress(host)
        }
        let server = HTTPServer(
            address: address,
            timeout: handlerTimeout,
            pool: NoDelaySocketPool(base: HTTPServer.defaultPool()),
            logger: .disabled,
            handler: ClosureHTTPHandler { request in
                let converted = EmulatorRequest(
                    method: request.method.rawValue,
                    path: request.path,
                    headers: Dictionary(
                        request.headers.map { ($0.key.rawValue.lowercased(), $0.value) },
                        uniquingKeysWith: { first, _ in first }
                    ),
                    body: [UInt8](try await request.bodyData)
                )
                return makeResponse(await handler(converted))
            }
        )
        // Served on threads of its own (or the daemon's, for the built-in emulator), so a cooperative pool kept busy
        // by its clients, as in a test process running many tests at once, never stalls the emulator's answers.
        let task = Task(executorPreference: ExecutorPreference.current ?? Self.executor) { try await server.run() }
        do {
            try await server.waitUntilListening(timeout: 5)
        } catch {
            task.cancel()
            let reason = (try? await task.value).map { "\($0)" } ?? "\(error)"
            throw EmulatorError.listenFailed(reason)
        }
        guard case .ip4(_, let boundPort) = await server.listeningAddress else {
            task.cancel()
            throw EmulatorError.listenFailed("no IPv4 listening address")
        }
        return HTTPListener(port: boundPort, server: server, task: task)
    }

    /// Returns when the server task ends (after ``cancel()`` or ``stop()``).
    func waitUntilFinished() async {
        _ = try? await task.value
    }

    /// Ends serving without waiting.
    func cancel() {
        task.cancel()
    }

    /// Closes the listening socket and waits for the server task to end.
    func stop() async {
        await server.stop(timeout: 0)
        task.cancel()
        _ = try? await task.value
    }

    private static func makeResponse(_ response: EmulatorResponse) -> HTTPResponse {
        var headers = HTTPHeaders()
        for (name, value) in response.headers {
            headers.addValue(value, for: HTTPHeader(name))
        }
        let status = HTTPStatusCode(response.status, phrase: reasonPhrase(response.status))
        switch response.delivery {
        case .complete:
            return HTTPResponse(statusCode: status, headers: headers, body: Data(response.body))
        case .truncated:
            let sent = Array(response.body.prefix(response.body.count / 2))
            return HTTPResponse(
                statusCode: status,
                headers: headers,
                body: HTTPBodySequence(from: TruncatedBytes(bytes: sent), count: response.body.count)
            )
        case .dropped:
            // FlyingFox asks a WebSocket handler for its frames before it writes the status line;
            // a handler that throws there makes it close the connection with nothing written,
            // which is exactly a server that vanished after (or before) doing the work.
            return HTTPResponse(webSocket: ConnectionDropper())
        }
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 410: "Gone"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }
}

/// Closes the connection before anything is written; see ``HTTPListener``.
private struct ConnectionDropper: WSHandler {
    struct Dropped: Error {}

    func makeFrames(for client: AsyncThrowingStream<WSFrame, any Error>) async throws -> AsyncStream<WSFrame> {
        throw Dropped()
    }
}

/// Body bytes that end in an error after `bytes`: FlyingFox then closes the connection, so the
/// client sees fewer bytes than the Content-Length it was promised.
private struct TruncatedBytes: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let bytes: [UInt8]

    struct Cut: Error {}

    struct AsyncIterator: AsyncBufferedIteratorProtocol {
        var remaining: ArraySlice<UInt8>

        mutating func next() async throws -> UInt8? {
            guard let byte = remaining.popFirst() else { throw Cut() }
            return byte
        }

        mutating func nextBuffer(suggested count: Int) async throws -> ArraySlice<UInt8>? {
            guard !remaining.isEmpty else { throw Cut() }
            let chunk = remaining.prefix(count)
            remaining = remaining.dropFirst(chunk.count)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(remaining: bytes[...])
    }
}

/// FlyingFox's socket pool with Nagle's algorithm turned off on every socket it waits on.
///
/// FlyingFox writes a response's head and body in two writes. With Nagle on, the body waits for the
/// ACK of the head, which a keep-alive client delays by up to 40 ms: every request after the first on
/// a connection would take 40 ms. Real API front ends set `TCP_NODELAY`, so the emulator does too.
/// The pool sees the listening socket (accepted sockets inherit the option on Linux) and every
/// connection that waits for data, which covers keep-alive requests.
struct NoDelaySocketPool<Base: AsyncSocketPool>: AsyncSocketPool {
    let base: Base

    func prepare() async throws {
        try await base.prepare()
    }

    func run() async throws {
        try await base.run()
    }

    func suspendSocket(_ socket: Socket, untilReadyFor events: Socket.Events) async throws {
        try? socket.setValue(true, for: BoolSocketOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY))
        try await base.suspendSocket(socket, untilReadyFor: events)
    }
}
