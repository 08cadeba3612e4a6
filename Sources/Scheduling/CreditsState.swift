package import Foundation
package import StrictJSON

/// The account's credit balance as the daemon knows it: what `credits.json` says (docs/protocol.md §4).
package struct CreditsState: Sendable, Hashable {
    /// The `state` of `credits.json`.
    package enum Level: String, Sendable, Hashable, CaseIterable {
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
    package var remaining: Double?
    /// The threshold of the low-credits warning.
    package var warnBelow: Double
    package var level: Level
    /// When the balance or the level last changed.
    package var updatedAt: Date?

    package init(remaining: Double?, warnBelow: Double, level: Level, updatedAt: Date?) {
        self.remaining = remaining
        self.warnBelow = warnBelow
        self.level = level
        self.updatedAt = updatedAt
    }

    /// The `credits.json` document:
    /// `{"remaining", "warn_below", "state": "ok"|"low"|"exhausted"|"unknown", "updated_at"}`.
    package var json: JSONValue {
        .object([
            "remaining": remaining.map(JSONValue.number) ?? .null,
            "warn_below": .number(warnBelow),
            "state": .string(level.rawValue),
            "updated_at": updatedAt.map { .string($0.formatted(.iso8601)) } ?? .null,
        ])
    }
}
