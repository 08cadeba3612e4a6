/// Settings shared by every request of one ``HTTPClient``.
public struct HTTPClientConfiguration: Sendable {
    /// How long establishing a connection (TCP and TLS) may take.
    public var connectTimeout: Duration
    /// How long a whole exchange may take, unless a request says otherwise.
    public var timeout: Duration
    /// The largest in-memory response body: JSON answers are small, so 1 MiB is generous.
    public var maxResponseBytes: Int
    /// The largest body streamed to a file (generated images).
    public var maxDownloadBytes: Int
    /// The number of connections kept open at once, across all hosts.
    public var maxConnections: Int
    /// The number of connections kept open at once to one host.
    public var maxConnectionsPerHost: Int
    /// The `User-Agent` header.
    public var userAgent: String

    public init(
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(60),
        maxResponseBytes: Int = 1 << 20,
        maxDownloadBytes: Int = 64 << 20,
        maxConnections: Int = 16,
        maxConnectionsPerHost: Int = 8,
        userAgent: String = "facedrop"
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.maxDownloadBytes = maxDownloadBytes
        self.maxConnections = maxConnections
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.userAgent = userAgent
    }
}

extension Duration {
    /// The duration in whole milliseconds, at least 1 for any positive duration.
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int(clamping: max(millis, self > .zero ? 1 : 0))
    }
}
