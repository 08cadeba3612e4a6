import DedicatedThreads
import Foundation
import Testing

@testable import Journal

/// ``SpendPeriod`` counts whole UTC days for the moments facedrop meets; these tests hold it to the calendar's answer.
@Suite("SpendPeriod: UTC days and months without a calendar")
struct SpendPeriodTests {
    static func expectSameAsCalendar(_ seconds: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(SpendPeriod(date) == SpendPeriod(calendarDate: date), "\(seconds)", sourceLocation: sourceLocation)
    }

    @Test("the edges: the epoch, leap days, month and year ends, centuries, a second before a day's end, year 9999")
    func edges() {
        let dates = [
            "1970-01-01T00:00:00Z", "1970-01-31T23:59:59Z", "1999-12-31T23:59:59Z", "2000-02-29T12:00:00Z",
            "2000-03-01T00:00:00Z", "2024-02-29T23:59:59Z", "2025-03-30T01:30:00Z", "2025-12-31T23:59:59Z",
            "2026-01-01T00:00:00Z", "2100-02-28T23:59:59Z", "2100-03-01T00:00:00Z", "9999-12-31T23:59:59Z",
        ]
        for text in dates {
            let date = try! Date(text, strategy: .iso8601)
            Self.expectSameAsCalendar(date.timeIntervalSince1970)
        }
        Self.expectSameAsCalendar(0.5)
        Self.expectSameAsCalendar(86_399.999)
        let period = SpendPeriod(try! Date("2024-02-29T23:59:59Z", strategy: .iso8601))
        #expect(period.day == "2024-02-29" && period.month == "2024-02")
        #expect(period.nextDay == (try! Date("2024-03-01T00:00:00Z", strategy: .iso8601)))
        #expect(period.nextMonth == (try! Date("2024-03-01T00:00:00Z", strategy: .iso8601)))
    }

    @Test("ten thousand moments spread over 1970–9999, and every day's first and last second of 2024–2027")
    func spread() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            Self.expectSameAsCalendar(Double.random(in: 0..<UTCTime.endOfYear9999, using: &generator).rounded(.down))
        }
        let start = try! Date("2024-01-01T00:00:00Z", strategy: .iso8601).timeIntervalSince1970
        for day in 0..<(4 * 366) {
            Self.expectSameAsCalendar(start + Double(day) * 86_400)
            Self.expectSameAsCalendar(start + Double(day) * 86_400 - 1)
        }
    }

    @Test("before 1970 and after 9999 the calendar answers")
    func outside() {
        let before = Date(timeIntervalSince1970: -1)
        #expect(SpendPeriod(before).day == "1969-12-31")
        #expect(SpendPeriod(before) == SpendPeriod(calendarDate: before))
        let after = Date(timeIntervalSince1970: UTCTime.endOfYear9999 + 10)
        #expect(SpendPeriod(after) == SpendPeriod(calendarDate: after))
    }
}
