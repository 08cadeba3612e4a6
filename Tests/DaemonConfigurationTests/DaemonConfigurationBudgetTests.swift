import DaemonConfiguration
import SegmindCatalog
import StrictJSON
import Testing

@Suite("Spending limits")
struct DaemonConfigurationBudgetTests {
    private let inbox = ConfigurationFixtures.minimalInbox

    @Test("budgets are off by default; unknown_cost errs high; jobs over budget wait")
    func defaults() throws {
        let configuration = try ConfigurationFixtures.parse(inbox)
        #expect(configuration.credits.budget.isUnlimited)
        #expect(configuration.credits.unknownCost == 0.5)
        #expect(configuration.inboxes[0].budget.isUnlimited)
        #expect(configuration.inboxes[0].overBudget == .wait)
    }

    @Test("service and inbox budgets are read, and a budget of 0 is allowed")
    func read() throws {
        let configuration = try ConfigurationFixtures.parse(
            """
            [credits]
            daily_budget = 5
            monthly_budget = 100.5
            unknown_cost = 0.25
            \(inbox)
            daily_budget = 0
            over_budget = "fail"
            """
        )
        #expect(configuration.credits.budget == SpendLimits(daily: 5, monthly: 100.5))
        #expect(configuration.credits.unknownCost == 0.25)
        #expect(configuration.inboxes[0].budget == SpendLimits(daily: 0, monthly: nil))
        #expect(configuration.inboxes[0].overBudget == .fail)
        #expect(configuration.description.contains("daily_budget 5.0 USD, monthly_budget 100.5 USD (UTC days and months)"))
        #expect(configuration.description.contains("over_budget = fail"))
    }

    @Test("every budget problem is listed at once")
    func problems() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [credits]
            daily_budget = -1
            monthly_budget = "lots"
            unknown_cost = 0
            \(inbox)
            monthly_budget = inf
            over_budget = "queue"
            """
        )
        #expect(problems.mentions("[credits] daily_budget", "at least 0"))
        #expect(problems.mentions("[credits] monthly_budget", "must be a number"))
        #expect(problems.mentions("[credits] unknown_cost", "more than 0 USD"))
        #expect(problems.mentions("\"portraits\" monthly_budget", "finite"))
        #expect(problems.mentions("\"portraits\" over_budget", "\"wait\" or \"fail\"", "\"queue\""))
        #expect(problems.count == 5, "\(problems)")
    }

    @Test("an inbox limit above the service's, or a day above the month, is a warning")
    func warnings() throws {
        let configuration = try ConfigurationFixtures.parse(
            """
            [credits]
            daily_budget = 2
            \(inbox)
            daily_budget = 3
            monthly_budget = 1
            """
        )
        #expect(configuration.warnings.contains { $0.contains("daily_budget = 3.0 USD is above [credits] daily_budget = 2.0 USD") })
        #expect(configuration.warnings.contains { $0.contains("daily_budget = 3.0 USD is above its monthly_budget = 1.0 USD") })
        #expect(configuration.warnings.count == 2, "\(configuration.warnings)")
    }
}
