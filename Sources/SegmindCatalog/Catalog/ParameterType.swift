public import StrictJSON

/// The kind of value a model parameter takes, as the catalog spells it.
public enum ParameterType: String, Sendable, Hashable, CaseIterable, Codable {
    /// A whole number. A JSON number with a zero fraction (`4.0`) is accepted and sent as `4`.
    case integer
    /// Any JSON number, integers included.
    case number
    /// A string.
    case string
    /// A JSON `true` or `false` only: `1`, `"true"` and `"yes"` are not Booleans.
    case boolean
    /// An image, sent as a URL or raw base64 string. The face (and pose) fields are filled by
    /// facedrop from the dropped files.
    case image

    /// Whether `value` has this type (before any range or enum check).
    public func accepts(_ value: JSONValue) -> Bool {
        switch self {
        case .integer: value.int64Value != nil
        case .number: value.isNumber
        case .string, .image: value.stringValue != nil
        case .boolean: value.boolValue != nil
        }
    }

    /// How a value of this type is named in messages ("an integer", …).
    public var article: String {
        switch self {
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .boolean: "a boolean (true or false)"
        case .image: "an image (URL or base64 string)"
        }
    }
}
