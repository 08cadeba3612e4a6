/// How long an outbox keeps one kind of thing (job folders of one outcome, or log files): an age in days, a
/// number of the newest, both, or neither (kept for ever, the default).
///
/// Each limit removes on its own: with both, a job folder goes once it is older than `days` *or* no longer
/// among the newest `count`. Written `keep_done = 30` (days) or `keep_done = { days = 30, count = 1000 }`.
public struct RetentionLimit: Sendable, Hashable {
    /// Kept at most this many days after it was finished (its record file's mtime, a log's date).
    public var days: Int?
    /// At most this many of the newest are kept.
    public var count: Int?

    public init(days: Int? = nil, count: Int? = nil) {
        self.days = days
        self.count = count
    }

    /// Kept for ever: no limit set.
    public static let forever = RetentionLimit()

    /// Whether nothing is ever removed under this limit.
    public var keepsForever: Bool { days == nil && count == nil }
}
