public import Foundation

/// Every request the emulator answered, in order: what tests assert on to prove that a client
/// submitted exactly once, polled sparingly or never fetched a result it did not need.
public struct Ledger: Sendable, Equatable {
    /// One request as the emulator saw it.
    public struct Entry: Sendable, Equatable {
        /// When the request arrived.
        public var time: Date
        /// The HTTP method, e.g. `POST`.
        public var method: String
        /// The request path, without the query.
        public var path: String
        /// The kind of endpoint reached.
        public var endpoint: EmulatorEndpoint
        /// The model slug, for submits and for polls of a known request.
        public var model: String?
        /// The request id, for submits that created one and for polls.
        public var requestID: String?
        /// The HTTP status answered; `nil` when the connection was dropped without an answer.
        public var status: Int?
        /// Whether the request was billed (only accepted submits are).
        public var billed: Bool
        /// The amount billed, 0 when not billed.
        public var cost: Double
        /// The description of the injected fault applied to this request, if any.
        public var fault: String?
        /// For a submit whose body was read: its `prompt`, which tests make unique per job to tell whose submit
        /// it was.
        public var prompt: String?

        public init(
            time: Date,
            method: String,
            path: String,
            endpoint: EmulatorEndpoint,
            model: String? = nil,
            requestID: String? = nil,
            status: Int?,
            billed: Bool = false,
            cost: Double = 0,
            fault: String? = nil,
            prompt: String? = nil
        ) {
            self.time = time
            self.method = method
            self.path = path
            self.endpoint = endpoint
            self.model = model
            self.requestID = requestID
            self.status = status
            self.billed = billed
            self.cost = cost
            self.fault = fault
            self.prompt = prompt
        }
    }

    /// All entries, oldest first.
    public var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// The entries that reached `endpoint`.
    public func entries(for endpoint: EmulatorEndpoint) -> [Entry] {
        entries.filter { $0.endpoint == endpoint }
    }

    /// The entries concerning one request id (its submit and all its polls).
    public func entries(forRequestID requestID: String) -> [Entry] {
        entries.filter { $0.requestID == requestID }
    }

    /// Every `POST /v2/{slug}`, accepted or not.
    public var submits: Int { entries(for: .submit).count }

    /// The submits that were billed, i.e. that created a job.
    public var billedSubmits: Int { entries.filter { $0.endpoint == .submit && $0.billed }.count }

    /// Status and result polls.
    public var polls: Int { entries.filter { $0.endpoint == .status || $0.endpoint == .result }.count }

    /// Polls concerning one request id.
    public func polls(forRequestID requestID: String) -> Int {
        entries(forRequestID: requestID).filter { $0.endpoint == .status || $0.endpoint == .result }.count
    }

    /// The total amount billed.
    public var totalBilled: Double { entries.reduce(0) { $0 + $1.cost } }
}
