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
        try await fetchOutput(output) { () async throws(SegmindError) -> (status: Int, value: HTTPDownload) in
            do throws(HTTPClientError) {
                let download = try await http.download(outputRequest(output), to: path, syncing: syncing)
                if download.status != 200 { try? Files.remove(path) }
                return (download.status, download)
            } catch {
                if case .fileError(_, let detail) = error { throw .outputNotSaved(path: path, detail: detail) }
                throw .network(error)
            }
        }
    }

    /// One output image in memory, under the configured size cap (``SegmindConfiguration/maxOutputBytes``), for a
    /// caller that checks it and writes it where it belongs itself. Retried as ``download(_:to:syncing:)``.
    public func fetch(_ output: OutputReference) async throws(SegmindError) -> [UInt8] {
        try await fetchOutput(output) { () async throws(SegmindError) -> (status: Int, value: [UInt8]) in
            do throws(HTTPClientError) {
                let response = try await http.execute(outputRequest(output))
                return (response.status, response.body)
            } catch {
                throw .network(error)
            }
        }
    }

    private func outputRequest(_ output: OutputReference) -> HTTPRequest {
        HTTPRequest(url: output.url, timeout: configuration.downloadTimeout, maxResponseBytes: configuration.maxOutputBytes, followRedirects: true)
    }

    /// Runs `transfer` with the read retries: a 5xx or a network failure is tried again, any other answer but 200
    /// ends it as ``SegmindError/downloadFailed(url:detail:)``. `transfer` throws ``SegmindError/network(_:)`` for
    /// a failed transfer, or ``SegmindError/outputNotSaved(path:detail:)``.
    private func fetchOutput<Value>(
        _ output: OutputReference,
        _ transfer: () async throws(SegmindError) -> (status: Int, value: Value)
    ) async throws(SegmindError) -> Value {
        do throws(SegmindError) {
            return try await withReadRetries { () async throws(SegmindError) -> ReadAttempt<Value> in
                let answer: (status: Int, value: Value)
                do throws(SegmindError) {
                    answer = try await transfer()
                    DaemonMetrics.segmindAnswered(endpoint: "download", status: answer.status)
                } catch {
                    guard case .network(let failure) = error else { throw error }
                    switch failure {
                    case .cancelled:
                        throw .cancelled
                    case .responseTooLarge, .invalidURL:
                        throw .downloadFailed(url: output.url, detail: failure.description)
                    default:
                        return .failed(error)
                    }
                }
                if answer.status == 200 { return .done(answer.value) }
                if answer.status >= 500 {
                    return .failed(.serverError(status: answer.status, message: "output download answered \(answer.status)"))
                }
                throw .downloadFailed(url: output.url, detail: "HTTP \(answer.status)")
            }
        } catch {
            switch error {
            case .downloadFailed, .outputNotSaved, .cancelled: throw error
            default: throw .downloadFailed(url: output.url, detail: error.description)
            }
        }
    }
}
