/// The gate's answer for one job's estimate (``JobJournal/reserveSpend(_:inbox:estimate:at:limits:)``).
package enum SpendDecision: Sendable, Equatable {
    /// The estimate fits every limit and is journaled as in flight: the job may be submitted.
    case reserved
    /// The estimate would take these limits over; nothing was reserved. `newlyReached` are those not reported
    /// reached before in this period (at this amount): one warning each.
    case overBudget(exceeded: [BudgetLimit], newlyReached: [BudgetLimit], totals: SpendTotals, service: SpendTotals)

    /// The limits exceeded, if any; for the pure check.
    package static func exceeded(_ limits: [BudgetLimit], estimate: Double, inbox: SpendTotals, service: SpendTotals) -> [BudgetLimit] {
        limits.filter { limit in
            let totals = limit.scope == .service ? service : inbox
            return !limit.admits(estimate, used: limit.used(in: totals))
        }
    }
}
