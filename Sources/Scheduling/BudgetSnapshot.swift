/// What the request budget is doing, for `facedrop status`.
public struct BudgetSnapshot: Sendable, Hashable {
    /// The most requests admitted in any ``window``.
    public var limit: Int
    /// The length of the sliding window.
    public var window: Duration
    /// Requests admitted during the last ``window``.
    public var admittedInWindow: Int
    /// Requests waiting for a slot.
    public var waiting: Int
    /// When a 429 hold ends, if one is in force.
    public var heldUntil: ContinuousClock.Instant?
    /// How long the 429 hold still lasts, if one is in force (an instant means nothing to another process).
    public var heldFor: Duration?
    /// Requests admitted since the budget was made.
    public var admittedTotal: Int

    /// Whether a request asking now would have to wait: the window is full, or a 429 holds the budget.
    public var isExhausted: Bool { admittedInWindow >= limit || heldFor != nil }

    public init(
        limit: Int,
        window: Duration,
        admittedInWindow: Int,
        waiting: Int,
        heldUntil: ContinuousClock.Instant?,
        heldFor: Duration?,
        admittedTotal: Int
    ) {
        self.limit = limit
        self.window = window
        self.admittedInWindow = admittedInWindow
        self.waiting = waiting
        self.heldUntil = heldUntil
        self.heldFor = heldFor
        self.admittedTotal = admittedTotal
    }
}
