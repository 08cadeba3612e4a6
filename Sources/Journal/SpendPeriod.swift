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
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < Self.endOfYear9999 else {
            self.init(calendarDate: date)
            return
        }
        // Every spend check and booking of every job asks this of the current time: counted in whole UTC days,
        // with no calendar, time zone or format string (together ~35 k instructions a call).
        let days = Int((seconds / 86_400).rounded(.down))
        let (year, month, day) = Self.civil(days)
        let next = month == 12 ? (year + 1, 1) : (year, month + 1)
        self.init(
            day: "\(Self.padded(year, 4))-\(Self.padded(month, 2))-\(Self.padded(day, 2))",
            month: "\(Self.padded(year, 4))-\(Self.padded(month, 2))",
            nextDay: Date(timeIntervalSince1970: Double(days + 1) * 86_400),
            nextMonth: Date(timeIntervalSince1970: Double(Self.days(year: next.0, month: next.1, day: 1)) * 86_400)
        )
    }

    private init(day: String, month: String, nextDay: Date, nextMonth: Date) {
        self.day = day
        self.month = month
        self.nextDay = nextDay
        self.nextMonth = nextMonth
    }

    /// 10000-01-01T00:00:00Z: up to here, the periods are counted in days; outside, by the calendar.
    static let endOfYear9999: Double = 253_402_300_800

    /// The Gregorian year, month and day of the day `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The days from 1970-01-01 to a Gregorian date (H. Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `value` in decimal, with leading zeros up to `width` digits (as `%0<width>d`).
    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
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
