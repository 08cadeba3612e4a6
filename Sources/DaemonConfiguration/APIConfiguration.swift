/// The `[api]` table: where requests go and how hard facedrop may press on the API.
public struct APIConfiguration: Sendable, Hashable {
    /// Segmind's origin or the built-in emulator.
    public var baseURL: APIEndpoint
    /// An absolute path to a file holding the API key, used when systemd passes no credential.
    /// The key itself never appears in the configuration.
    public var keyFile: String?
    /// Requests a minute, submits and polls together (Segmind's pro limit is 50).
    public var requestsPerMinute: Int
    /// The most requests sent at once; the rest of the minute's are spread evenly over it. `nil`: a tenth of
    /// ``requestsPerMinute``, 1 to 5. ``requestsPerMinute`` sends them as they come, within the minute's limit.
    public var requestBurst: Int?
    /// Generations waiting on Segmind at once.
    public var maxInFlight: Int
    /// Time allowed to open a connection.
    public var connectTimeout: Duration
    /// Time allowed for one API exchange.
    public var requestTimeout: Duration
    /// Time allowed to download one output image.
    public var downloadTimeout: Duration

    /// How long one job may wait on Segmind after its submit before it fails as `timeout`.
    public var jobDeadline: Duration
    /// Multiplies the catalog's expected run times when planning the first poll. 1 for Segmind; below 1 only
    /// against an emulator whose model time runs faster (`[emulator] time_scale` sets it for the built-in one).
    public var runTimeScale: Double

    public init(
        baseURL: APIEndpoint = .segmind,
        keyFile: String? = nil,
        requestsPerMinute: Int = 50,
        requestBurst: Int? = nil,
        maxInFlight: Int = 4,
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(30),
        downloadTimeout: Duration = .seconds(300),
        jobDeadline: Duration = .seconds(900),
        runTimeScale: Double = 1
    ) {
        self.jobDeadline = jobDeadline
        self.runTimeScale = runTimeScale
        self.baseURL = baseURL
        self.keyFile = keyFile
        self.requestsPerMinute = requestsPerMinute
        self.requestBurst = requestBurst
        self.maxInFlight = maxInFlight
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.downloadTimeout = downloadTimeout
    }
}
