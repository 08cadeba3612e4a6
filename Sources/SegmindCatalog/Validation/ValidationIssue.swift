public import StrictJSON

/// One problem or warning found while validating a sidecar or a request body.
public struct ValidationIssue: Sendable, Hashable, CustomStringConvertible {
    /// The parameter or sidecar key concerned, if the issue is about one.
    public let field: String?
    /// What kind of issue this is.
    public let code: IssueCode
    /// A sentence for people.
    public let message: String

    public init(field: String?, code: IssueCode, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    /// `field: message`, or the message alone.
    public var description: String {
        field.map { "\($0): \(message)" } ?? message
    }

    /// The issue as a JSON object (`field`, `code`, `message`) for result and error files.
    public var jsonValue: JSONValue {
        ["field": field.map(JSONValue.string) ?? .null, "code": .string(code.rawValue), "message": .string(message)]
    }
}
