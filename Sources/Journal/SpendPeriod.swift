import DedicatedThreads
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
        // Every spend check and booking of every job asks this of the current time: counted in whole UTC days,
        // with no calendar, time zone or format string.
        guard let time = UTCTime(date) else {
            self.init(calendarDate: date)
            return
        }
        let (year, month) = (UTCTime.padded(time.year, 4), UTCTime.padded(time.month, 2))
        let next = time.month == 12 ? (time.year + 1, 1) : (time.year, time.month + 1)
        self.init(
            day: "\(year)-\(month)-\(UTCTime.padded(time.day, 2))",
            month: "\(year)-\(month)",
            nextDay: Date(timeIntervalSince1970: Double(time.days + 1) * 86_400),
            nextMonth: Date(timeIntervalSince1970: Double(UTCTime.days(year: next.0, month: next.1, day: 1)) * 86_400)
        )
    }

    private init(day: String, month: String, nextDay: Date, nextMonth: Date) {
        self.day = day
        self.month = month
        self.nextDay = nextDay
        self.nextMonth = nextMonth
    }

    /// The periods by the Gregorian calendar in UTC: for moments before 1970 or after 9999.
    init(calendarDate date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let year = parts.year ?? 1970
        let month = parts.month ?? 1
        let day = parts.day ?? 1
        let startOfDay = calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? date
        let nextDay = calendar.date(byAdding: .day, value: 1, to: startOfDay) ?? startOfDay.addingTimeInterval(86_400)
        let startOfMonth = calendar.date(from: DateComponents(year: year, month: month, day: 1)) ?? startOfDay
        self.init(
            day: String(format: "%04d-%02d-%02d", year, month, day),
            month: String(format: "%04d-%02d", year, month),
            nextDay: nextDay,
            nextMonth: calendar.date(byAdding: .month, value: 1, to: startOfMonth) ?? nextDay
        )
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
