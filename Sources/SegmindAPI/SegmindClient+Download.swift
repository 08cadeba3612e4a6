public import CurlHTTP
import FileSystem
import Foundation
import ServiceMetrics

/// Fetching generated images.
extension SegmindClient {
    /// Streams one output image to `path` (never whole in memory), under the configured size cap.
    ///
    /// Output URLs need no key, so none is sent: the key never leaves for an image host. Failures are
    /// retried like any read; a partial file is removed. `syncing` as in ``HTTPClient/download(_:to:syncing:)``.
    public func download(_ output: OutputReference, to path: String, syncing: Bool = true) async throws(SegmindError) -> HTTPDownload {
        let request = HTTPRequest(
            url: output.url,
            timeout: configuration.downloadTimeout,
            maxResponseBytes: configuration.maxOutputBytes,
            followRedirects: true
        )
        do throws(SegmindError) {
            return try await withReadRetries { () async throws(SegmindError) -> ReadAttempt<HTTPDownload> in
                let download: HTTPDownload
                do throws(HTTPClientError) {
                    download = try await http.download(request, to: path, syncing: syncing)
                    DaemonMetrics.segmindAnswered(endpoint: "download", status: download.status)
                } catch {
                    switch error {
                    case .cancelled:
                        throw .cancelled
                    case .fileError(_, let detail):
                        throw .outputNotSaved(path: path, detail: detail)
                    case .responseTooLarge, .invalidURL:
                        throw .downloadFailed(url: output.url, detail: error.description)
                    default:
                        return .failed(.network(error))
                    }
                }
                if download.status == 200 { return .done(download) }
                try? Files.remove(path)
                if download.status >= 500 {
                    return .failed(.serverError(status: download.status, message: "output download answered \(download.status)"))
                }
                throw .downloadFailed(url: output.url, detail: "HTTP \(download.status)")
            }
        } catch {
            switch error {
            case .downloadFailed, .outputNotSaved, .cancelled: throw error
            default: throw .downloadFailed(url: output.url, detail: error.description)
            }
        }
    }
}
