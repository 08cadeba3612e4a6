/// What an inbox's outbox keeps, and for how long (`[[inbox]] keep_done`, `keep_failed`, `keep_cancelled`,
/// `keep_logs`). Outboxes otherwise grow for ever; the daemon prunes at start, then daily and after a reload.
///
/// Inboxes that share an outbox must agree on these (the configuration says so otherwise): an outbox is pruned
/// as one.
public struct RetentionSettings: Sendable, Hashable {
    /// `done/` job folders (`keep_done`).
    public var done: RetentionLimit
    /// `failed/` job folders (`keep_failed`).
    public var failed: RetentionLimit
    /// `cancelled/` job folders: `keep_cancelled`, or `keep_failed` when that is not set, since a cancelled job,
    /// like a failed one, is one whose files came back unused.
    public var cancelled: RetentionLimit
    /// `logs/facedrop-YYYY-MM-DD.jsonl` files, by the date in their name, and `warnings/` files, by the time in
    /// theirs (`keep_logs`).
    public var logs: RetentionLimit

    public init(
        done: RetentionLimit = .forever,
        failed: RetentionLimit = .forever,
        cancelled: RetentionLimit = .forever,
        logs: RetentionLimit = .forever
    ) {
        self.done = done
        self.failed = failed
        self.cancelled = cancelled
        self.logs = logs
    }

    /// Whether this outbox is never pruned (the default).
    public var keepsEverything: Bool {
        done.keepsForever && failed.keepsForever && cancelled.keepsForever && logs.keepsForever
    }
}
