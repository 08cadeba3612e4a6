/// The spending limits: `[credits] daily_budget`, `monthly_budget`, `unknown_cost` and `[[inbox]]
/// daily_budget`, `monthly_budget`, `over_budget`.
extension ConfigurationReader {
    static let serviceBudgetKeys = ["daily_budget", "monthly_budget", "unknown_cost"]
    static let inboxBudgetKeys = ["daily_budget", "monthly_budget", "over_budget"]

    /// The service's limits and the price assumed for an unpriced model. A budget of 0 is allowed (nothing
    /// paid runs); an unknown cost of 0 is not, or every unpriced model would slip past every budget.
    static func readServiceBudget(
        _ reader: TableReader,
        unknownCost fallback: Double,
        into problems: inout [String]
    ) -> (SpendLimits, Double) {
        let limits = readLimits(reader, into: &problems)
        var unknownCost = fallback
        if let value = reader.number("unknown_cost", atLeast: 0, into: &problems) {
            if value > 0 {
                unknownCost = value
            } else {
                reader.problem(
                    "unknown_cost",
                    "must be more than 0 USD: a model without a known price would otherwise pass every budget for free",
                    into: &problems
                )
            }
        }
        return (limits, unknownCost)
    }

    /// An inbox's limits and what becomes of its jobs over them.
    static func readInboxBudget(_ reader: TableReader, into problems: inout [String]) -> (SpendLimits, OverBudgetPolicy) {
        let limits = readLimits(reader, into: &problems)
        var policy = OverBudgetPolicy.wait
        if let text = reader.string("over_budget", into: &problems) {
            if let value = OverBudgetPolicy(rawValue: text) {
                policy = value
            } else {
                reader.problem("over_budget", "must be \"wait\" or \"fail\", got \"\(text)\"", into: &problems)
            }
        }
        return (limits, policy)
    }

    /// An inbox limit above the service's never applies: worth a word, since it reads as if it did.
    static func budgetWarnings(_ inboxes: [InboxConfiguration], service: SpendLimits) -> [String] {
        var warnings: [String] = []
        for inbox in inboxes {
            let pairs: [(String, Double?, Double?)] = [
                ("daily_budget", inbox.budget.daily, service.daily),
                ("monthly_budget", inbox.budget.monthly, service.monthly),
            ]
            for (key, own, whole) in pairs {
                if let own, let whole, own > whole {
                    warnings.append(
                        "[[inbox]] \"\(inbox.name)\" \(key) = \(own) USD is above [credits] \(key) = \(whole) USD: the service's limit is reached first"
                    )
                }
            }
            if let daily = inbox.budget.daily, let monthly = inbox.budget.monthly, daily > monthly {
                warnings.append("[[inbox]] \"\(inbox.name)\" daily_budget = \(daily) USD is above its monthly_budget = \(monthly) USD")
            }
        }
        if let daily = service.daily, let monthly = service.monthly, daily > monthly {
            warnings.append("[credits] daily_budget = \(daily) USD is above monthly_budget = \(monthly) USD")
        }
        return warnings
    }

    private static func readLimits(_ reader: TableReader, into problems: inout [String]) -> SpendLimits {
        SpendLimits(
            daily: reader.number("daily_budget", atLeast: 0, into: &problems),
            monthly: reader.number("monthly_budget", atLeast: 0, into: &problems)
        )
    }
}
