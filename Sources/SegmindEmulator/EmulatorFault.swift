/// A misbehaviour the emulator shows on purpose, so that tests can see how a client copes with the
/// failures a real network and a real Segmind produce.
///
/// A fault applies to the next ``count`` requests that reach a matching ``endpoint``; faults are
/// consumed in the order they were injected.
public struct EmulatorFault: Sendable, Equatable, CustomStringConvertible {
    /// Which requests a fault applies to.
    public enum Endpoint: String, Sendable, Equatable, CaseIterable {
        case submit, status, result, output, credits, upload
        /// Every Segmind endpoint (never the `/_emulator/` control API).
        case any

        /// Whether a request to `endpoint` is subject to this fault.
        public func matches(_ endpoint: EmulatorEndpoint) -> Bool {
            switch self {
            case .any: true
            case .submit: endpoint == .submit
            case .status: endpoint == .status
            case .result: endpoint == .result
            case .output: endpoint == .output
            case .credits: endpoint == .credits
            case .upload: endpoint == .upload
            }
        }
    }

    /// What goes wrong.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// Answer with this HTTP status (and body, default `{"error":"..."}`) without doing anything.
        case status(Int, body: String? = nil)
        /// Do the work (a submit is billed and recorded), then close the connection without a
        /// byte of answer: the client cannot know whether its job exists.
        case dropConnectionAfterBilling
        /// Close the connection without a byte of answer and without doing anything.
        case dropConnection
        /// Wait this long, then answer normally.
        case delay(Duration)
        /// Do the work, then send the head and part of the body with a Content-Length promising
        /// the whole body, and close the connection.
        case truncatedBody
        /// Do the work, then answer 200 with a body that is not valid JSON.
        case malformedBody

        public var description: String {
            switch self {
            case .status(let code, _): "status \(code)"
            case .dropConnectionAfterBilling: "drop connection after billing"
            case .dropConnection: "drop connection"
            case .delay(let duration): "delay \(duration)"
            case .truncatedBody: "truncated body"
            case .malformedBody: "malformed body"
            }
        }

        /// Whether the request is still processed (and possibly billed) before the fault shows.
        var processesRequest: Bool {
            switch self {
            case .status, .dropConnection: false
            case .dropConnectionAfterBilling, .delay, .truncatedBody, .malformedBody: true
            }
        }
    }

    /// Which requests the fault applies to.
    public var endpoint: Endpoint
    /// What goes wrong.
    public var kind: Kind
    /// How many matching requests it still applies to.
    public var count: Int

    /// Creates a fault for the next `count` requests reaching `endpoint`.
    public init(endpoint: Endpoint, kind: Kind, count: Int = 1) {
        self.endpoint = endpoint
        self.kind = kind
        self.count = count
    }

    public var description: String {
        "\(kind) on \(endpoint.rawValue) ×\(count)"
    }
}
