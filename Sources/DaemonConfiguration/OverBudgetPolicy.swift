/// What becomes of a job whose estimated cost would take a budget over its limit (`[[inbox]] over_budget`).
public enum OverBudgetPolicy: String, Sendable, Hashable, CaseIterable {
    /// The job waits, unfailed, in the journal state `waitingForBudget` until the period rolls over or a
    /// reload raises the limit: nothing dropped is lost to a budget.
    case wait
    /// The job fails with code `budget_exceeded`, for producers that would rather drop it again later.
    case fail
}
