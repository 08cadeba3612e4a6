package import struct Foundation.Date

/// A moment's UTC date and time of day, in whole seconds, counted without a calendar.
///
/// The spend periods and the claim folders' names ask this of the current time for every job; a Gregorian
/// `Calendar` in UTC and `String(format:)` cost tens of thousands of instructions a call, the day count a few
/// dozen. Only moments from 1970 to 9999 are counted (`nil` outside), where the two agree; callers keep the
/// calendar for the rest.
package struct UTCTime: Sendable, Hashable {
    package var year: Int
    package var month: Int
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int
    /// Whole days since 1970-01-01.
    package var days: Int

    /// 10000-01-01T00:00:00Z, the end of the moments counted.
    package static let endOfYear9999: Double = 253_402_300_800

    /// `date`'s UTC date and time (fractions of a second dropped), or nil before 1970 or from 10000 on.
    package init?(_ date: Date) {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < Self.endOfYear9999 else { return nil }
        let whole = Int(seconds.rounded(.down))
        days = whole / 86_400
        let ofDay = whole % 86_400
        hour = ofDay / 3600
        minute = ofDay % 3600 / 60
        second = ofDay % 60
        (year, month, day) = Self.civil(days)
    }

    /// The Gregorian year, month and day of the day `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    package static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
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
    package static func days(year: Int, month: Int, day: Int) -> Int {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `value` in decimal with leading zeros up to `width` digits, as `%0<width>d` writes it.
    package static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
