import Foundation

/// A Segmind API key that never prints itself.
///
/// The key travels only in the `x-api-key` header. Its `description` is a fixed placeholder, so string
/// interpolation, logging or an error description can never leak it by accident.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself, for the one place that builds the header.
    let secret: String

    public init(_ secret: String) {
        self.secret = secret.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether there is no key at all (a request then gets Segmind's "missing key" 401).
    public var isEmpty: Bool { secret.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "APIKey(<redacted>)" }

    /// `text` with every occurrence of the key replaced, for server messages that might echo it.
    func redacting(_ text: String) -> String {
        guard secret.count >= 4 else { return text }
        return text.replacingOccurrences(of: secret, with: "<redacted>")
    }
}
