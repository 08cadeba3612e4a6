/// The HTTP methods the Segmind protocol uses.
public enum HTTPMethod: String, Sendable, Hashable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
    case head = "HEAD"

    /// Whether repeating the request can never cause a second effect on the server.
    ///
    /// Segmind has no idempotency key, so a POST that may have reached it is never repeated blindly.
    public var isIdempotent: Bool {
        self != .post
    }
}
