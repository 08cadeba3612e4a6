public import StrictJSON

/// One parameter of a Segmind model, as its page documents it.
///
/// The catalog keeps the page's own values, oddities included (instantid's `pose_image` shows a
/// default of `1`); where the page disagrees with itself, ``notes`` says so, and that is what lets
/// the catalog's consistency check accept it.
public struct ParameterSpec: Sendable, Hashable {
    /// The name Segmind expects in the request body.
    public let name: String
    /// The kind of value.
    public let type: ParameterType
    /// The smallest accepted value, for numbers, when the page gives one.
    public let minimum: Double?
    /// The largest accepted value, for numbers, when the page gives one.
    public let maximum: Double?
    /// The accepted values, only when the page or docs/protocol.md §1 lists them; `nil` means any value of the type.
    public let allowedValues: [JSONValue]?
    /// The default as the page shows it (its value and type), or `nil` when it shows none.
    public let defaultValue: JSONValue?
    /// Whether the page marks the parameter as required.
    public let required: Bool
    /// The page's description.
    public let description: String
    /// What is odd about the page's data for this parameter, if anything.
    public let notes: String?

    public init(
        name: String,
        type: ParameterType,
        minimum: Double? = nil,
        maximum: Double? = nil,
        allowedValues: [JSONValue]? = nil,
        defaultValue: JSONValue? = nil,
        required: Bool = false,
        description: String = "",
        notes: String? = nil
    ) {
        self.name = name
        self.type = type
        self.minimum = minimum
        self.maximum = maximum
        self.allowedValues = allowedValues
        self.defaultValue = defaultValue
        self.required = required
        self.description = description
        self.notes = notes
    }
}
