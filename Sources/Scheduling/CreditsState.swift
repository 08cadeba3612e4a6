public import Foundation
public import SegmindCatalog

/// The account's credit balance as the daemon knows it: what `credits.json` says (docs/protocol.md §4).
public struct CreditsState: Sendable, Hashable {
    /// The `state` of `credits.json`.
    public enum Level: String, Sendable, Hashable, CaseIterable {
        /// At or above the warning threshold.
        case ok
        /// Below the warning threshold: a `credits-low` warning was written when it crossed.
        case low
        /// Segmind refused a submit for want of credits: submissions are paused until they return.
        case exhausted
        /// Nothing is known yet.
        case unknown
    }

    /// The last balance heard of, in USD.
    public var remaining: Double?
    /// The threshold of the low-credits warning.
    public var warnBelow: Double
    public var level: Level
    /// When the balance or the level last changed.
    public var updatedAt: Date?

    public init(remaining: Double?, warnBelow: Double, level: Level, updatedAt: Date?) {
        self.remaining = remaining
        self.warnBelow = warnBelow
        self.level = level
        self.updatedAt = updatedAt
    }

    /// The `credits.json` document:
    /// `{"remaining", "warn_below", "state": "ok"|"low"|"exhausted"|"unknown", "updated_at"}`.
    public var json: JSONValue {
        .object([
            "remaining": remaining.map(JSONValue.number) ?? .null,
            "warn_below": .number(warnBelow),
            "state": .string(level.rawValue),
            "updated_at": updatedAt.map { .string($0.formatted(.iso8601)) } ?? .null,
        ])
    }
}
