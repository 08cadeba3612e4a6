/// A response whose body was streamed to a file instead of memory.
public struct HTTPDownload: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The file the body was written to.
    public var path: String
    /// How many body bytes were written.
    public var byteCount: Int

    public init(status: Int, headers: HTTPHeaders, path: String, byteCount: Int) {
        self.status = status
        self.headers = headers
        self.path = path
        self.byteCount = byteCount
    }
}
