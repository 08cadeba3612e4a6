/// A generation Segmind accepted (and billed): the handle to poll it by.
///
/// It holds nothing secret, so it can be written to the journal as it is and used to resume polling
/// after a restart.
public struct SubmittedRequest: Sendable, Hashable, Codable {
    public var requestID: String
    public var model: String
    public var statusURL: String
    public var responseURL: String
    /// The balance Segmind reported with the answer, if it did.
    public var remainingCredits: Double?

    public init(requestID: String, model: String, statusURL: String, responseURL: String, remainingCredits: Double? = nil) {
        self.requestID = requestID
        self.model = model
        self.statusURL = statusURL
        self.responseURL = responseURL
        self.remainingCredits = remainingCredits
    }
}
