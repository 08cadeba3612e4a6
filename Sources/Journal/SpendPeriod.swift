package import Foundation

/// The UTC day and month a moment falls in, as the spend table keys them, and when each rolls over.
///
/// Budgets count calendar periods in UTC so that the same journal means the same thing on any machine and
/// across daylight-saving changes: a day is `2025-03-30`, a month `2025-03`.
package struct SpendPeriod: Sendable, Hashable {
    /// The UTC day, `yyyy-MM-dd`.
    package let day: String
    /// The UTC month, `yyyy-MM`.
    package let month: String
    /// The first moment of the next UTC day: when a daily budget starts afresh.
    package let nextDay: Date
    /// The first moment of the next UTC month: when a monthly budget starts afresh.
    package let nextMonth: Date

    package init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let year = parts.year ?? 1970
        let month = parts.month ?? 1
        let day = parts.day ?? 1
        self.day = String(format: "%04d-%02d-%02d", year, month, day)
        self.month = String(format: "%04d-%02d", year, month)
        let startOfDay = calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? date
        nextDay = calendar.date(byAdding: .day, value: 1, to: startOfDay) ?? startOfDay.addingTimeInterval(86_400)
        let startOfMonth = calendar.date(from: DateComponents(year: year, month: month, day: 1)) ?? startOfDay
        nextMonth = calendar.date(byAdding: .month, value: 1, to: startOfMonth) ?? nextDay
    }

    /// The key of `period` for this moment: the day or the month.
    package func key(_ period: BudgetLimit.Period) -> String {
        period == .day ? day : month
    }

    /// When `period` starts afresh.
    package func rollover(_ period: BudgetLimit.Period) -> Date {
        period == .day ? nextDay : nextMonth
    }
}
