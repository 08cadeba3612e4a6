/// How an ``EmulatorServer`` behaves: who may call it, how much they may spend, how fast jobs run and
/// which models it refuses.
///
/// The defaults mirror Segmind's public behaviour closely enough for the client to be tested against
/// them; tests shrink ``timeScale``, ``recordTimeToLive`` and ``requestsPerMinute`` to provoke the
/// rarer answers quickly.
public struct EmulatorConfiguration: Sendable {
    /// The shape of the `POST /upload-asset` answer: Segmind's SDK and its docs disagree.
    public enum UploadResponseShape: String, Sendable, CaseIterable {
        /// `{"file_urls": [...], "message": "Files uploaded successfully"}`, what the official SDK reads.
        case fileURLs = "file_urls"
        /// `{"urls": [...]}`, what Segmind's storage documentation shows.
        case urls
    }

    /// The address to bind. Only loopback makes sense: the emulator has no real security.
    public var host: String = "127.0.0.1"
    /// The port to bind; 0 picks a free one (read it back from ``EmulatorServer/baseURL``).
    public var port: UInt16 = 0
    /// The keys accepted in `x-api-key`.
    public var apiKeys: Set<String> = ["emulator-key"]
    /// The paid balance at start, in USD.
    public var credits: Double = 100.0
    /// The free balance at start, in USD; it is spent before the paid one.
    public var freeCredits: Double = 0
    /// Multiplies every emulated duration (queue and run time): 0.01 turns a 70 s model into 0.7 s.
    public var timeScale: Double = 1.0
    /// Seconds a job stays QUEUED before it starts, before scaling by ``timeScale``.
    public var queueSeconds: Double = 2.0
    /// Run time, before scaling, for models whose catalog entry gives none.
    public var defaultRunSeconds: Double = 10.0
    /// Run times, before scaling, by model slug, instead of the catalog's figures: Segmind's real run times
    /// drift from the published ones, and a client that plans its polls from the catalog is tested against
    /// a server that does not keep to it.
    public var runSeconds: [String: Double] = [:]
    /// Seconds after submission after which a request is forgotten and every poll answers 404.
    /// Segmind keeps records for one hour. Not scaled by ``timeScale``.
    public var recordTimeToLive: Double = 3600
    /// Seconds after its record expires that a job's output files are still served (Segmind keeps
    /// outputs for 7 days); after that the job is forgotten entirely, so a long-running emulator
    /// does not grow without bound.
    public var outputRetention: Double = 7 * 24 * 3600
    /// The requests-per-minute limit per emulator (Segmind: 5 on Free, 50 on Pro); `nil` means no limit.
    public var requestsPerMinute: Int? = nil
    /// Whether status and result polls count toward ``requestsPerMinute``. Segmind does not document
    /// it, so the conservative default is that they do.
    public var pollsCountTowardLimit: Bool = true
    /// A prompt containing this text makes the job end FAILED (and be refunded).
    public var failToken: String = "emulator:fail"
    /// The `error` text of a FAILED job.
    public var failureMessage: String = "Content blocked by the model's safety filter"
    /// Slugs answered with 410 Gone, as Segmind does for retired models.
    public var retiredModels: Set<String> = []
    /// Slugs answered with 403 Forbidden, as for a model the account or team may not use.
    public var forbiddenModels: Set<String> = []
    /// The price of a run for models whose catalog entry has no cost.
    public var defaultCost: Double = 0.05
    /// The longest side of a rendered output image; larger requested sizes are scaled down.
    public var maxOutputSide: Int = 1024
    /// When true, `output` in a result is always a list of URLs; when false it is a string for one
    /// image and a list for several.
    public var outputAsList: Bool = false
    /// The shape of the upload answer.
    public var uploadResponseShape: UploadResponseShape = .fileURLs
    /// Seconds FlyingFox lets one handler run; it must outlast the longest injected delay.
    public var handlerTimeout: Double = 600

    /// Creates a configuration; every property can be changed afterwards.
    public init(
        host: String = "127.0.0.1",
        port: UInt16 = 0,
        apiKeys: Set<String> = ["emulator-key"],
        credits: Double = 100.0,
        freeCredits: Double = 0,
        timeScale: Double = 1.0,
        queueSeconds: Double = 2.0,
        recordTimeToLive: Double = 3600,
        requestsPerMinute: Int? = nil,
        pollsCountTowardLimit: Bool = true,
        failToken: String = "emulator:fail",
        retiredModels: Set<String> = [],
        forbiddenModels: Set<String> = [],
        defaultCost: Double = 0.05,
        maxOutputSide: Int = 1024,
        outputAsList: Bool = false,
        uploadResponseShape: UploadResponseShape = .fileURLs,
        runSeconds: [String: Double] = [:]
    ) {
        self.host = host
        self.port = port
        self.apiKeys = apiKeys
        self.credits = credits
        self.freeCredits = freeCredits
        self.timeScale = timeScale
        self.queueSeconds = queueSeconds
        self.recordTimeToLive = recordTimeToLive
        self.requestsPerMinute = requestsPerMinute
        self.pollsCountTowardLimit = pollsCountTowardLimit
        self.failToken = failToken
        self.retiredModels = retiredModels
        self.forbiddenModels = forbiddenModels
        self.defaultCost = defaultCost
        self.maxOutputSide = maxOutputSide
        self.outputAsList = outputAsList
        self.uploadResponseShape = uploadResponseShape
        self.runSeconds = runSeconds
    }
}
