import FacedropTestSupport
import Foundation
import GRDB
import Testing

@testable import Journal

@Suite("Spend: the per-day sums the budget gate and status read")
struct JournalSpendByDayTests {
    static let morning = JournalSpendTests.morning
    static let nextDay = SpendPeriod(morning).nextDay.addingTimeInterval(3_600)

    /// The totals summed straight from the `spend` rows, in micro-dollars as `spend_day` keeps them.
    static func direct(_ journal: JobJournal, inbox: String, at date: Date) throws -> SpendTotals {
        let period = SpendPeriod(date)
        let booked = "IIF(cost IS NULL, 0, CAST(ROUND(cost * 1000000) AS INTEGER))"
        let flying = "IIF(cost IS NULL, CAST(ROUND(estimate * 1000000) AS INTEGER), 0)"
        let row = try journal.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT TOTAL(IIF(day = ?1, \(booked), 0)), TOTAL(IIF(day = ?1, \(flying), 0)), TOTAL(\(booked)), TOTAL(\(flying))
                    FROM spend WHERE month = ?2 AND inbox = ?3
                    """,
                arguments: [period.day, period.month, inbox]
            )
        }
        let value = { (index: Int) -> Double in (row?[index] ?? 0) / 1_000_000 }
        return SpendTotals(bookedToday: value(0), inFlightToday: value(1), bookedThisMonth: value(2), inFlightThisMonth: value(3))
    }

    @Test("reservations, bookings, releases, moves to another day and cancellations keep the sums equal to the rows, exactly")
    func sumsFollowTheRows() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        var jobs: [JobRecord] = []
        for index in 0..<40 { jobs.append(try await journal.job(named: "job-\(index)", in: .claimed)) }
        for (index, job) in jobs.enumerated() {
            let inbox = index % 2 == 0 ? "a" : "b"
            #expect(try await journal.reserveSpend(job.id, inbox: inbox, estimate: 0.1, at: Self.morning, limits: []) == .reserved)
        }
        // Ten of inbox a's jobs booked at 0.2 each: exactly 2 USD, where adding up the doubles gives 1.9999999999999998.
        for job in jobs.enumerated().filter({ $0.offset % 2 == 0 }).prefix(10).map(\.element) {
            _ = try await journal.advance(job.id, to: .submitting)
            _ = try await journal.advance(job.id, to: .submitted)
            try await journal.recordSpooled(job.id, spoolPath: "/spool/\(job.id)", outputs: "[]", booking: (inbox: "a", cost: 0.2))
        }
        // Given back, reserved again on the next day, cancelled while queued.
        for job in jobs[20..<25] { try await journal.releaseSpend(job.id) }
        for job in jobs[25..<30] {
            #expect(try await journal.reserveSpend(job.id, inbox: "b", estimate: 0.3, at: Self.nextDay, limits: []) == .reserved)
        }
        for job in jobs[30..<33] { try await journal.markCancelled(job.id, record: "{}") }

        for inbox in ["a", "b"] {
            for date in [Self.morning, Self.nextDay] {
                let totals = try journal.spendTotals(at: date)[inbox] ?? SpendTotals()
                #expect(totals == (try Self.direct(journal, inbox: inbox, at: date)), "inbox \(inbox) at \(date)")
            }
        }
        #expect(try journal.spendTotals(at: Self.morning)["a"]?.bookedToday == 2)
        // Forty jobs' spend is three rows, one per inbox and day (a and b this morning, b the next day), not one per job.
        let rows = try journal.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM spend_day") }
        #expect(rows == 3)
    }

    @Test("the gate leaves a job's own earlier reservation out of the sums it checks against")
    func ownReservationLeftOut() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let limit = BudgetLimit(scope: .inbox("a"), period: .day, usd: 1)
        let first = try await journal.job(named: "first", in: .claimed)
        let second = try await journal.job(named: "second", in: .claimed)
        #expect(try await journal.reserveSpend(first.id, inbox: "a", estimate: 0.6, at: Self.morning, limits: [limit]) == .reserved)
        // Reserving 0.6 again for the same job replaces its 0.6: it fits the 1 USD budget.
        #expect(try await journal.reserveSpend(first.id, inbox: "a", estimate: 0.6, at: Self.morning, limits: [limit]) == .reserved)
        let other = try await journal.reserveSpend(second.id, inbox: "a", estimate: 0.6, at: Self.morning, limits: [limit])
        guard case .overBudget(_, _, let totals, _) = other else {
            Issue.record("a second 0.6 fitted a budget of 1 holding 0.6")
            return
        }
        #expect(totals == SpendTotals(inFlightToday: 0.6, inFlightThisMonth: 0.6))
    }
}
