public import StrictJSON

/// Why a model catalog could not be loaded.
public enum CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The catalog bundled with facedrop is missing from the resources.
    case resourceMissing
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not valid JSON.
    case malformed(JSONParsingError)
    /// The file is JSON but describes models inconsistently; every problem found is listed.
    case invalid(problems: [String])

    public var description: String {
        switch self {
        case .resourceMissing:
            "the bundled model catalog (models.json) is missing"
        case .unreadable(let path, let reason):
            "cannot read the model catalog \(path): \(reason)"
        case .malformed(let error):
            "the model catalog is not valid JSON: \(error)"
        case .invalid(let problems):
            (["the model catalog has \(problems.count) problem\(problems.count == 1 ? "" : "s"):"]
                + problems.map { "  - \($0)" }).joined(separator: "\n")
        }
    }
}
