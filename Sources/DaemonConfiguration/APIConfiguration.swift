/// The `[api]` table: where requests go and how hard facedrop may press on the API.
public struct APIConfiguration: Sendable, Hashable {
    /// Segmind's origin or the built-in emulator.
    public var baseURL: APIEndpoint
    /// An absolute path to a file holding the API key, used when systemd passes no credential.
    /// The key itself never appears in the configuration.
    public var keyFile: String?
    /// Requests a minute, submits and polls together (Segmind's pro limit is 50).
    public var requestsPerMinute: Int
    /// Generations waiting on Segmind at once.
    public var maxInFlight: Int
    /// Time allowed to open a connection.
    public var connectTimeout: Duration
    /// Time allowed for one API exchange.
    public var requestTimeout: Duration
    /// Time allowed to download one output image.
    public var downloadTimeout: Duration

    public init(
        baseURL: APIEndpoint = .segmind,
        keyFile: String? = nil,
        requestsPerMinute: Int = 50,
        maxInFlight: Int = 4,
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(30),
        downloadTimeout: Duration = .seconds(300)
    ) {
        self.baseURL = baseURL
        self.keyFile = keyFile
        self.requestsPerMinute = requestsPerMinute
        self.maxInFlight = maxInFlight
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.downloadTimeout = downloadTimeout
    }
}
