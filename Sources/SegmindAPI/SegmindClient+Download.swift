public import CurlHTTP
import Foundation

/// Fetching generated images.
extension SegmindClient {
    /// Streams one output image to `path` (never whole in memory), under the configured size cap.
    ///
    /// Output URLs need no key, so none is sent: the key never leaves for an image host. Failures are
    /// retried like any read; a partial file is removed.
    public func download(_ output: OutputReference, to path: String) async throws(SegmindError) -> HTTPDownload {
        let request = HTTPRequest(
            url: output.url,
            timeout: configuration.downloadTimeout,
            maxResponseBytes: configuration.maxOutputBytes,
            followRedirects: true
        )
        let policy = configuration.readRetry
        var attempt = 0
        while true {
            attempt += 1
            try Self.checkCancellation()
            let failure: SegmindError
            do {
                let download = try await http.download(request, to: path)
                if download.status == 200 { return download }
                try? FileManager.default.removeItem(atPath: path)
                failure = download.status >= 500
                    ? .serverError(status: download.status, message: "output download answered \(download.status)")
                    : .downloadFailed(url: output.url, detail: "HTTP \(download.status)")
            } catch {
                switch error {
                case .cancelled:
                    throw .cancelled
                case .responseTooLarge, .fileError, .invalidURL:
                    throw .downloadFailed(url: output.url, detail: error.description)
                default:
                    failure = .network(error)
                }
            }
            guard attempt < policy.maxAttempts, let wait = retryDelay(for: failure, attempt: attempt, policy: policy) else {
                if case .downloadFailed = failure { throw failure }
                throw .downloadFailed(url: output.url, detail: failure.description)
            }
            try await Self.sleep(wait)
        }
    }
}
