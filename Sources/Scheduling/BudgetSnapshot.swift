/// What the request budget is doing, for `facedrop status`.
package struct BudgetSnapshot: Sendable, Hashable {
    /// The most requests admitted in any ``window``.
    package var limit: Int
    /// The length of the sliding window.
    package var window: Duration
    /// Requests admitted during the last ``window``.
    package var admittedInWindow: Int
    /// Requests waiting for a slot.
    package var waiting: Int
    /// How long the 429 hold still lasts, if one is in force (an instant means nothing to another process).
    package var heldFor: Duration?
    /// Requests admitted since the budget was made.
    package var admittedTotal: Int

    /// Whether the budget is spent: the window is full, or a 429 holds it. (A request asking when it is not may
    /// still wait up to one pacing interval for a token.)
    package var isExhausted: Bool { admittedInWindow >= limit || heldFor != nil }

    package init(
        limit: Int,
        window: Duration,
        admittedInWindow: Int,
        waiting: Int,
        heldFor: Duration?,
        admittedTotal: Int
    ) {
        self.limit = limit
        self.window = window
        self.admittedInWindow = admittedInWindow
        self.waiting = waiting
        self.heldFor = heldFor
        self.admittedTotal = admittedTotal
    }
}
