/// A JSON document as a plain Swift value.
///
/// facedrop reads sidecars from shared folders and writes request bodies and result files that other
/// programs read, so it keeps JSON in a type it fully controls instead of `Any` or `JSONSerialization`:
/// integers stay integers (a seed of `2778725438` is never turned into `2.778725438e9`), numbers keep
/// their kind through a round trip, and equality is structural.
///
/// Values come from ``JSONParser`` (strict, bounded) and go out through
/// ``JSONValue/serialized(sortedKeys:pretty:)``.
///
/// ```swift
/// let body: JSONValue = ["prompt": "portrait", "seed": 720558, "id_weight": 1.05]
/// let bytes = body.serialized()   // {"id_weight":1.05,"prompt":"portrait","seed":720558}
/// ```
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number. Always finite: the parser rejects what would overflow, and the writer
    /// cannot represent NaN or infinity.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object. Keys are unique: the parser rejects duplicates.
    case object([String: JSONValue])
}
