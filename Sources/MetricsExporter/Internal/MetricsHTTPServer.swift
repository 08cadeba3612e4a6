import FlyingFox
import FlyingSocks
import Foundation

/// The one place that knows FlyingFox: `GET /metrics` on one address, every other path 404 and every other method 405.
///
/// FlyingFox runs its socket loop on libdispatch's threads and times each request out with `Task.sleep`, so a daemon
/// serving the endpoint uses the global executor; that is why the endpoint is off unless `[metrics] listen` is set.
final class MetricsHTTPServer: Sendable {
    private let server: HTTPServer

    /// - Parameter render: The body of each answer, Prometheus text made at the time of the request.
    init(host: String, port: UInt16, render: @escaping @Sendable () async -> [UInt8]) throws(MetricsExportError) {
        let address: sockaddr_in
        do {
            address = try .inet(ip4: host, port: port)
        } catch {
            throw .invalidAddress("\(host):\(port)")
        }
        server = HTTPServer(
            address: address,
            timeout: 10,
            logger: .disabled,
            handler: ClosureHTTPHandler { request in
                guard request.path == "/metrics" else { return HTTPResponse(statusCode: .notFound) }
                guard request.method == .GET || request.method == .HEAD else {
                    var headers = HTTPHeaders()
                    headers.addValue("GET, HEAD", for: HTTPHeader("Allow"))
                    return HTTPResponse(statusCode: .methodNotAllowed, headers: headers)
                }
                var headers = HTTPHeaders()
                headers.addValue("text/plain; version=0.0.4; charset=utf-8", for: .contentType)
                return HTTPResponse(statusCode: .ok, headers: headers, body: Data(await render()))
            }
        )
    }

    /// Serves until the calling task is cancelled; throws when the address cannot be bound.
    func run() async throws(MetricsExportError) {
        do {
            try await server.run()
        } catch is CancellationError {
            return
        } catch {
            if Task.isCancelled { return }
            throw .listenFailed("\(error)")
        }
    }

    /// The port bound (the one asked for, or the kernel's choice for port 0); nil until the server listens.
    func listeningPort() async -> UInt16? {
        guard case .ip4(_, let port) = await server.listeningAddress else { return nil }
        return port
    }
}
