/// One spending limit in force: whose spend it caps (the service or one inbox), over which UTC period, how many USD.
package struct BudgetLimit: Sendable, Hashable, CustomStringConvertible {
    /// Whose spend a limit caps.
    package enum Scope: Sendable, Hashable {
        /// Every inbox together.
        case service
        /// One inbox, by name.
        case inbox(String)

        /// How the journal names the scope in `budget_crossing`.
        package var key: String {
            switch self {
            case .service: "service"
            case .inbox(let name): "inbox:\(name)"
            }
        }
    }

    /// The calendar period, in UTC, a limit counts over.
    package enum Period: String, Sendable, Hashable, CaseIterable {
        case day
        case month
    }

    /// Sums of USD are compared with this much slack, so a budget of exactly k prices admits k jobs despite
    /// binary floating point (3 × 0.036 is 0.10799999999999998).
    package static let tolerance = 1e-9

    package var scope: Scope
    package var period: Period
    package var usd: Double

    package init(scope: Scope, period: Period, usd: Double) {
        self.scope = scope
        self.period = period
        self.usd = usd
    }

    /// Whether a job estimated at `estimate` fits when `used` (spent and reserved by other jobs) already counts.
    package func admits(_ estimate: Double, used: Double) -> Bool {
        used + estimate <= usd + Self.tolerance
    }

    /// What is left of the limit after `used`, never below zero.
    package func left(after used: Double) -> Double {
        max(0, usd - used)
    }

    /// The spend of `totals` this limit counts: its period's, booked and in flight.
    package func used(in totals: SpendTotals) -> Double {
        period == .day ? totals.today : totals.thisMonth
    }

    package var description: String {
        let whose =
            switch scope {
            case .service: "the service's"
            case .inbox(let name): "inbox \"\(name)\"'s"
            }
        return "\(whose) \(period == .day ? "daily" : "monthly") budget of \(usd) USD"
    }
}
