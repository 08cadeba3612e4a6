/// Why an HTTP exchange did not produce a response.
///
/// The cases are shaped by one question the Segmind client must answer before retrying a paid
/// submit: could the request have reached the server? ``requestMayHaveReachedServer`` answers it.
public enum HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL was rejected before any connection was attempted.
    case invalidURL(String)
    /// The host name did not resolve: nothing was sent.
    case couldNotResolveHost(String)
    /// No connection could be made (refused, unreachable): nothing was sent.
    case couldNotConnect(String)
    /// TLS could not be established (handshake or certificate): the request was not sent.
    case tlsFailure(String)
    /// The time limit passed. `requestSent` tells whether any of the request had left.
    case timedOut(requestSent: Bool)
    /// The connection broke (reset, closed, empty reply) after it was made.
    case connectionLost(requestSent: Bool, detail: String)
    /// The server closed the connection before sending the whole body it announced.
    case truncatedResponse(receivedBytes: Int)
    /// The response body grew past the cap and the transfer was aborted.
    case responseTooLarge(limit: Int)
    /// The request's ``HTTPRequest/beforeSending`` hook refused to let it go: nothing was sent.
    case refusedBeforeSending
    /// The task waiting for the response was cancelled.
    case cancelled
    /// The client has been shut down.
    case shutDown
    /// Writing the response to its file failed.
    case fileError(path: String, detail: String)
    /// Any other libcurl failure.
    case transferFailed(code: Int, detail: String)

    /// Whether the server may have received the request. `false` only when that is certain, so a
    /// non-idempotent request is repeated only when this is `false`.
    public var requestMayHaveReachedServer: Bool {
        switch self {
        case .invalidURL, .couldNotResolveHost, .couldNotConnect, .tlsFailure, .shutDown, .refusedBeforeSending:
            return false
        case .timedOut(let sent):
            return sent
        case .connectionLost(let sent, _):
            return sent
        case .truncatedResponse, .responseTooLarge, .cancelled, .fileError, .transferFailed:
            return true
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let url):
            return "invalid URL \(url)"
        case .couldNotResolveHost(let detail):
            return "could not resolve host: \(detail)"
        case .couldNotConnect(let detail):
            return "could not connect: \(detail)"
        case .tlsFailure(let detail):
            return "TLS failure: \(detail)"
        case .refusedBeforeSending:
            return "not sent: the request was refused right before sending"
        case .timedOut(let sent):
            return sent ? "timed out after the request was sent" : "timed out before the request was sent"
        case .connectionLost(let sent, let detail):
            return (sent ? "connection lost after the request was sent" : "connection lost before the request was sent")
                + ": \(detail)"
        case .truncatedResponse(let received):
            return "the response ended early, after \(received) body bytes"
        case .responseTooLarge(let limit):
            return "the response is larger than the limit of \(limit) bytes"
        case .cancelled:
            return "the request was cancelled"
        case .shutDown:
            return "the HTTP client has been shut down"
        case .fileError(let path, let detail):
            return "could not write \(path): \(detail)"
        case .transferFailed(let code, let detail):
            return "transfer failed (libcurl \(code)): \(detail)"
        }
    }
}
