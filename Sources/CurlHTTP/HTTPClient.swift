import FileSystem
import Foundation

/// An HTTP/1.1 and HTTP/2 client over libcurl, for async Swift code.
///
/// One client owns one libcurl multi handle, driven by one dedicated thread: connections are reused
/// across requests, no blocking C call ever runs on Swift's cooperative thread pool, and any number of
/// tasks can wait for responses at once without a thread each.
///
/// ```swift
/// let client = try HTTPClient()
/// let response = try await client.execute(HTTPRequest(url: "http://127.0.0.1:8080/v1/get-user-credits"))
/// ```
///
/// - Important: Response bodies are capped while they stream in (``HTTPClientConfiguration/maxResponseBytes``
///   for memory, ``HTTPClientConfiguration/maxDownloadBytes`` for files); a larger body aborts the transfer
///   with ``HTTPClientError/responseTooLarge(limit:)``.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let loop: CurlMultiLoop

    /// Creates a client and starts its transfer thread.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientError) {
        guard let loop = CurlMultiLoop(settings: configuration) else {
            throw .transferFailed(code: -1, detail: "libcurl could not be initialised")
        }
        self.configuration = configuration
        self.loop = loop
    }

    deinit {
        loop.stop()
    }

    /// Stops the transfer thread; requests still running fail with ``HTTPClientError/shutDown``.
    public func shutdown() {
        loop.stop()
    }

    /// The version of the libcurl this client runs on.
    public static var libcurlVersion: String {
        CurlGlobal.version
    }

    /// Sends a request and collects the response body in memory.
    public func execute(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let limit = request.maxResponseBytes ?? configuration.maxResponseBytes
        let outcome = try await perform(request, sink: ResponseSink(limit: limit, destination: .memory, beforeSending: request.beforeSending))
        return HTTPResponse(status: outcome.status, headers: outcome.headers, body: outcome.body)
    }

    /// Sends a request and streams the response body into a new file at `path`.
    ///
    /// The file is created (mode 0600) or truncated; on any failure it is removed again, so a partial
    /// download never looks like a finished one. The body is written as it arrives and never held in
    /// memory whole. With `syncing` (the default) the file is flushed to disk before this returns; a caller that
    /// copies the file elsewhere and flushes the copy, and could fetch it again, may leave it to the system.
    public func download(_ request: HTTPRequest, to path: String, syncing: Bool = true) async throws(HTTPClientError) -> HTTPDownload {
        let limit = request.maxResponseBytes ?? configuration.maxDownloadBytes
        let handle: OpenFile
        do {
            handle = try Files.createForWriting(path)
        } catch {
            throw .fileError(path: path, detail: "cannot create the file: \(error.reasonText)")
        }
        let result: Result<TransferOutcome, HTTPClientError>
        do {
            result = .success(try await perform(request, sink: ResponseSink(limit: limit, destination: .file(handle), beforeSending: request.beforeSending)))
        } catch {
            result = .failure(error)
        }
        do {
            if syncing { try handle.sync() }
        } catch {
            try? Files.remove(path)
            throw .fileError(path: path, detail: error.reasonText)
        }
        switch result {
        case .success(let outcome):
            return HTTPDownload(status: outcome.status, headers: outcome.headers, path: path, byteCount: outcome.receivedBytes)
        case .failure(let error):
            try? Files.remove(path)
            if case .fileError(_, let detail) = error { throw .fileError(path: path, detail: detail) }
            throw error
        }
    }

    private func perform(_ request: HTTPRequest, sink: ResponseSink) async throws(HTTPClientError) -> TransferOutcome {
        guard let easy = CurlEasy() else {
            throw .transferFailed(code: -1, detail: "libcurl could not create a handle")
        }
        if let problem = easy.configure(for: request, settings: configuration, limit: sink.limit) {
            throw problem
        }
        _ = easy.attach(sink)
        let transfer = Transfer(easy: easy, sink: sink)
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (waiting: CheckedContinuation<Result<TransferOutcome, HTTPClientError>, Never>) in
                guard transfer.bind(waiting) else { return }
                if !loop.start(transfer) {
                    transfer.finish(.failure(.shutDown))
                }
            }
        } onCancel: {
            if transfer.markCancelled() {
                loop.cancel(transfer)
            }
        }
        return try result.get()
    }
}
