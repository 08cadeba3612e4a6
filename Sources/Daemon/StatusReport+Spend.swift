import DaemonConfiguration
import Foundation
import Journal
import StrictJSON

extension StatusReport {
    /// The `spend` object of `facedrop status`: for the service and each configured inbox, today's and this
    /// month's spend (booked, and estimates in flight) and what is left of each budget. Periods are UTC.
    static func spend(_ totals: [String: SpendTotals], configuration: DaemonConfiguration, at date: Date) -> JSONValue {
        let period = SpendPeriod(date)
        var inboxes: [String: JSONValue] = [:]
        for inbox in configuration.inboxes {
            inboxes[inbox.name] = scope(totals[inbox.name] ?? SpendTotals(), limits: inbox.budget)
        }
        return [
            "time_zone": "UTC",
            "day": .string(period.day),
            "month": .string(period.month),
            "service": scope(totals.values.reduce(SpendTotals(), +), limits: configuration.credits.budget),
            "inboxes": .object(inboxes),
        ]
    }

    private static func scope(_ totals: SpendTotals, limits: SpendLimits) -> JSONValue {
        func period(booked: Double, inFlight: Double, budget: Double?) -> JSONValue {
            [
                "spent": .number(booked),
                "in_flight": .number(inFlight),
                "budget": budget.map(JSONValue.number) ?? .null,
                "left": budget.map { .number(max(0, $0 - booked - inFlight)) } ?? .null,
            ]
        }
        return [
            "today": period(booked: totals.bookedToday, inFlight: totals.inFlightToday, budget: limits.daily),
            "this_month": period(booked: totals.bookedThisMonth, inFlight: totals.inFlightThisMonth, budget: limits.monthly),
        ]
    }

    /// The spend as lines for people.
    var spendLines: [String] {
        guard spend != .null else { return [] }
        var lines = ["spend (UTC day \(spend["day"]?.stringValue ?? "?"), month \(spend["month"]?.stringValue ?? "?")):"]
        func describe(_ name: String, _ value: JSONValue?) {
            let parts = [("today", "today"), ("this_month", "this month")].map { key, label in
                let figures = value?[key]
                let spent = Self.usd(figures?["spent"]?.doubleValue)
                let flying = Self.usd(figures?["in_flight"]?.doubleValue)
                let budget =
                    figures?["budget"]?.doubleValue.map { "\(Self.usd(figures?["left"]?.doubleValue)) left of \(Self.usd($0))" } ?? "no budget"
                return "\(label) \(spent) spent + \(flying) in flight, \(budget)"
            }
            lines.append("  \(name): " + parts.joined(separator: "; "))
        }
        describe("service", spend["service"])
        for (name, value) in (spend["inboxes"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            describe("inbox \"\(name)\"", value)
        }
        return lines
    }

    private static func usd(_ value: Double?) -> String {
        value.map { String(format: "%.4f USD", $0) } ?? "? USD"
    }
}
