import SegmindCatalog
public import StrictJSON

/// A finished generation: where its images are and what it cost.
public struct GenerationResult: Sendable, Hashable {
    public var requestID: String
    public var outputs: [OutputReference]
    public var metrics: GenerationMetrics
    /// The whole body as Segmind sent it, for fields facedrop does not read.
    public var body: JSONValue
    /// Set when a Segmind emulator answered (``SegmindClient/emulatorHeader``), to its name: the outputs are
    /// synthetic pictures and nothing was billed.
    public var emulator: String?

    public init(requestID: String, outputs: [OutputReference], metrics: GenerationMetrics, body: JSONValue) {
        self.requestID = requestID
        self.outputs = outputs
        self.metrics = metrics
        self.body = body
    }
}

/// One generated image, as listed in a result. The URL needs no key.
public struct OutputReference: Sendable, Hashable, Codable {
    public var url: String
    public var contentType: String?
    public var fileName: String?
    public var fileSize: Int?

    public init(url: String, contentType: String? = nil, fileName: String? = nil, fileSize: Int? = nil) {
        self.url = url
        self.contentType = contentType
        self.fileName = fileName
        self.fileSize = fileSize
    }
}

/// The account's balance, from the free `GET /v1/get-user-credits`.
public struct CreditBalance: Sendable, Hashable, Codable {
    public var credits: Double
    public var freeCredits: Double

    public init(credits: Double, freeCredits: Double) {
        self.credits = credits
        self.freeCredits = freeCredits
    }

    /// Everything that can be spent.
    public var total: Double { credits + freeCredits }
}
