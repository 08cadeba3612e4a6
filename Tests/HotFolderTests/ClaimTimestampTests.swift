import Foundation
import Testing

@testable import HotFolder

/// A claim folder's name starts with the claim's UTC time, counted without a calendar: held to the calendar's answer.
@Suite("Claim timestamps")
struct ClaimTimestampTests {
    @Test("yyyyMMdd'T'HHmmss in UTC, as the calendar writes it: edges, and ten thousand moments over 1970–9999")
    func sameAsCalendar() throws {
        #expect(JobClaimer.timestamp(try Date("2024-02-29T23:59:59Z", strategy: .iso8601)) == "20240229T235959")
        #expect(JobClaimer.timestamp(Date(timeIntervalSince1970: 0.999)) == "19700101T000000")
        var moments: [Double] = [0, 59.5, 86_399, 86_400, 951_782_400, 4_107_542_399, 253_402_300_799, -1, 253_402_300_800]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 { moments.append(Double.random(in: 0..<253_402_300_800, using: &generator)) }
        for seconds in moments {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(JobClaimer.timestamp(date) == JobClaimer.calendarTimestamp(date), "\(seconds)")
        }
    }
}
