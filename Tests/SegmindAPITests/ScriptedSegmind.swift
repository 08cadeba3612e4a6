import FacedropTestSupport
import FlyingFox
import FlyingSocks
import Foundation
import Synchronization

/// A loopback server that answers from a script, one canned answer per request, and records what it
/// was asked. It lets a test set up exact status codes, headers and bodies that the emulator would
/// produce only by chance.
final class ScriptedSegmind: Sendable {
    enum Answer: Sendable {
        case json(Int, String, headers: [String: String] = [:])
        case text(Int, String)
        /// Close the connection without answering (the request was read: it reached the server).
        case drop
        /// Send headers and the start of the body, then close.
        case truncated(String)
        case delayed(Duration, Int, String)
    }

    struct Seen: Sendable {
        var method: String
        var path: String
        var apiKey: String?
        var body: String
    }

    private let script = Mutex<[Answer]>([])
    private let seen = Mutex<[Seen]>([])
    private let server: HTTPServer
    private let task: Task<Void, any Error>
    let baseURL: String

    private init(server: HTTPServer, task: Task<Void, any Error>, port: UInt16) {
        self.server = server
        self.task = task
        self.baseURL = "http://127.0.0.1:\(port)"
    }

    static func start() async throws -> ScriptedSegmind {
        let holder = Mutex<ScriptedSegmind?>(nil)
        let handler = ClosureHTTPHandler { request in
            guard let scripted = holder.withLock({ $0 }) else { return FlyingFox.HTTPResponse(statusCode: .serviceUnavailable) }
            return try await scripted.answer(request)
        }
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled, handler: handler)
        let task = serverTask { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port) = await server.listeningAddress else { throw ScriptError.noPort }
        let scripted = ScriptedSegmind(server: server, task: task, port: port)
        holder.withLock { $0 = scripted }
        return scripted
    }

    func stop() async {
        await server.stop()
        task.cancel()
    }

    /// Queues answers, used in order; when the script runs out, every request gets a 599.
    func then(_ answers: Answer...) {
        script.withLock { $0.append(contentsOf: answers) }
    }

    var requests: [Seen] { seen.withLock { $0 } }

    private func answer(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        let body = try await request.bodyData
        seen.withLock {
            $0.append(
                Seen(
                    method: request.method.rawValue,
                    path: request.path,
                    apiKey: request.headers[HTTPHeader("x-api-key")],
                    body: String(decoding: body, as: UTF8.self)
                )
            )
        }
        let next = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch next {
        case nil:
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(599, phrase: "Script Ended"))
        case .json(let status, let text, let headers)?:
            var fields: HTTPHeaders = [.contentType: "application/json"]
            for (name, value) in headers { fields[HTTPHeader(name)] = value }
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Scripted"), headers: fields, body: Data(text.utf8))
        case .text(let status, let text)?:
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Scripted"), headers: [.contentType: "text/html"], body: Data(text.utf8))
        case .drop?:
            return FlyingFox.HTTPResponse(webSocket: DropConnection())
        case .truncated(let prefix)?:
            return FlyingFox.HTTPResponse(
                statusCode: .ok,
                headers: [.contentType: "application/json"],
                body: HTTPBodySequence(from: CutShortBody(prefix: Array(prefix.utf8)), count: prefix.utf8.count + 100)
            )
        case .delayed(let delay, let status, let text)?:
            try await Task.sleep(for: delay)
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Scripted"), body: Data(text.utf8))
        }
    }
}

enum ScriptError: Error {
    case noPort
}
