/// Where and how the client talks to Segmind.
public struct SegmindConfiguration: Sendable {
    /// The API's origin, e.g. `https://api.segmind.com`. A trailing `/v1` or `/v2` is dropped, as
    /// Segmind's own SDK does, so a base URL copied from its docs works.
    public var baseURL: String
    /// The origin of Segmind Storage (`POST /upload-asset`).
    public var storageURL: String
    public var apiKey: APIKey
    /// Retries for polls, results, credits and downloads (all safe to repeat).
    public var readRetry: RetryPolicy
    /// Retries for the paid submit: only when the request provably never reached Segmind, or it answered
    /// 429 or 5xx.
    public var submitRetry: RetryPolicy
    /// How long one API exchange may take.
    public var requestTimeout: Duration
    /// How long one output download may take.
    public var downloadTimeout: Duration
    /// The largest output image accepted.
    public var maxOutputBytes: Int
    /// Admits every API request before it is sent (downloads excepted), so that one requests-per-minute
    /// budget can be shared by every job; `nil` sends without asking.
    public var gate: (any RequestGate)?

    public init(
        baseURL: String = "https://api.segmind.com",
        storageURL: String = "https://workflows-api.segmind.com",
        apiKey: APIKey,
        readRetry: RetryPolicy = .reads,
        submitRetry: RetryPolicy = .submits,
        requestTimeout: Duration = .seconds(30),
        downloadTimeout: Duration = .seconds(300),
        maxOutputBytes: Int = 64 << 20,
        gate: (any RequestGate)? = nil
    ) {
        self.baseURL = Self.origin(of: baseURL)
        self.storageURL = Self.origin(of: storageURL)
        self.apiKey = apiKey
        self.readRetry = readRetry
        self.submitRetry = submitRetry
        self.requestTimeout = requestTimeout
        self.downloadTimeout = downloadTimeout
        self.maxOutputBytes = maxOutputBytes
        self.gate = gate
    }

    static func origin(of url: String) -> String {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        for suffix in ["/v1", "/v2"] where trimmed.hasSuffix(suffix) {
            trimmed.removeLast(suffix.count)
        }
        return trimmed
    }
}
