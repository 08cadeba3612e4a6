/// One HTTP request, as handed to ``HTTPClient``.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The absolute URL. It must never carry a secret: URLs appear in error descriptions and logs.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Overrides the client's connect timeout for this request.
    public var connectTimeout: Duration?
    /// Overrides the client's total timeout for this request.
    public var timeout: Duration?
    /// The largest response body accepted; the transfer is aborted as soon as it grows past this.
    public var maxResponseBytes: Int?
    /// Whether redirects are followed. API calls do not follow; output downloads may.
    public var followRedirects: Bool
    /// Called on the transfer thread once a connection to the server is made (or an open one reused) and right
    /// before the request is sent; the thread waits for it, so it may block (to make a record durable, say).
    /// Returning false aborts the transfer unsent (``HTTPClientError/refusedBeforeSending``).
    ///
    /// A request with this hook is never sent twice: where libcurl would send it again on a fresh connection
    /// (a reused connection that died without an answer), the transfer is aborted instead and reported as
    /// lost after sending, because the first copy may have arrived.
    public var beforeSending: (@Sendable () -> Bool)?

    public init(
        method: HTTPMethod = .get,
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8]? = nil,
        connectTimeout: Duration? = nil,
        timeout: Duration? = nil,
        maxResponseBytes: Int? = nil,
        followRedirects: Bool = false,
        beforeSending: (@Sendable () -> Bool)? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.followRedirects = followRedirects
        self.beforeSending = beforeSending
    }
}
