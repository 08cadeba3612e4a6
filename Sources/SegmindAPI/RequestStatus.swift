import SegmindCatalog
import StrictJSON

/// Where a submitted generation stands.
public struct RequestStatus: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case queued = "QUEUED"
        case processing = "PROCESSING"
        case completed = "COMPLETED"
        case failed = "FAILED"

        /// Whether the request will not change any more.
        public var isTerminal: Bool { self == .completed || self == .failed }
    }

    public var requestID: String
    public var state: State
    public var metrics: GenerationMetrics
    /// Segmind's error text for a FAILED request.
    public var error: String?

    public init(requestID: String, state: State, metrics: GenerationMetrics = GenerationMetrics(), error: String? = nil) {
        self.requestID = requestID
        self.state = state
        self.metrics = metrics
        self.error = error
    }
}

/// The figures Segmind reports about a generation; every one is optional on the wire.
public struct GenerationMetrics: Sendable, Hashable, Codable {
    public var inferenceTime: Double?
    public var queueTime: Double?
    public var totalTime: Double?
    public var cost: Double?
    public var remainingCredits: Double?

    public init(
        inferenceTime: Double? = nil,
        queueTime: Double? = nil,
        totalTime: Double? = nil,
        cost: Double? = nil,
        remainingCredits: Double? = nil
    ) {
        self.inferenceTime = inferenceTime
        self.queueTime = queueTime
        self.totalTime = totalTime
        self.cost = cost
        self.remainingCredits = remainingCredits
    }

    init(_ value: JSONValue?) {
        self.init(
            inferenceTime: value?["inference_time"]?.doubleValue,
            queueTime: value?["queue_time"]?.doubleValue,
            totalTime: value?["total_time"]?.doubleValue,
            cost: value?["cost"]?.doubleValue,
            remainingCredits: value?["remaining_credits"]?.doubleValue
        )
    }
}
