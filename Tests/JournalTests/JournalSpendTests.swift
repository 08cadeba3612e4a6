import FacedropTestSupport
import Foundation
import Journal
import Testing

@Suite("Spend: periods, the budget gate and booking")
struct JournalSpendTests {
    /// 2027-01-15T08:00:00Z, the fixtures' clock.
    static let morning = Date(timeIntervalSince1970: 1_800_000_000)
    static let flux = 0.036

    static func utc(_ text: String) -> Date {
        (try? Date(text, strategy: .iso8601)) ?? .distantPast
    }

    @Test("periods are UTC calendar days and months, rolling over at UTC midnight, year and leap day included")
    func periods() {
        let late = SpendPeriod(Self.utc("2027-12-31T23:59:59Z"))
        #expect(late.day == "2027-12-31")
        #expect(late.month == "2027-12")
        #expect(late.nextDay == Self.utc("2028-01-01T00:00:00Z"))
        #expect(late.nextMonth == Self.utc("2028-01-01T00:00:00Z"))
        let leap = SpendPeriod(Self.utc("2028-02-29T00:00:00Z"))
        #expect(leap.day == "2028-02-29")
        #expect(leap.nextDay == Self.utc("2028-03-01T00:00:00Z"))
        #expect(leap.nextMonth == Self.utc("2028-03-01T00:00:00Z"))
        let mid = SpendPeriod(Self.utc("2027-01-15T08:00:00Z"))
        #expect(mid.key(.day) == "2027-01-15")
        #expect(mid.key(.month) == "2027-01")
        #expect(mid.rollover(.day) == Self.utc("2027-01-16T00:00:00Z"))
        #expect(mid.rollover(.month) == Self.utc("2027-02-01T00:00:00Z"))
    }

    @Test("the gate arithmetic: a budget of exactly k prices admits k, not k + 1, despite floating point")
    func arithmetic() {
        let limit = BudgetLimit(scope: .service, period: .day, usd: 0.108)
        #expect(limit.admits(Self.flux, used: 2 * Self.flux))
        #expect(!limit.admits(Self.flux, used: 3 * Self.flux))
        #expect(limit.left(after: 3 * Self.flux) < 1e-9)
        #expect(limit.left(after: 1) == 0)
        let inboxLimit = BudgetLimit(scope: .inbox("a"), period: .month, usd: 1)
        let exceeded = SpendDecision.exceeded(
            [limit, inboxLimit],
            estimate: Self.flux,
            inbox: SpendTotals(bookedThisMonth: 0.99),
            service: SpendTotals(bookedToday: 0.05, bookedThisMonth: 0.99)
        )
        #expect(exceeded == [inboxLimit])
        #expect(SpendTotals(bookedToday: 1, inFlightToday: 2).today == 3)
    }

    @Test("reservations count until booked; the limit's first crossing is reported once; a new day starts afresh")
    func gateAndRollover() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let limits = [BudgetLimit(scope: .service, period: .day, usd: 3 * Self.flux), BudgetLimit(scope: .service, period: .month, usd: 4.5 * Self.flux)]
        var ids: [Int64] = []
        for index in 1...5 { ids.append(try await journal.job(named: "spend-\(index)", in: .claimed).id) }
        for id in ids.prefix(3) {
            #expect(try await journal.reserveSpend(id, inbox: "a", estimate: Self.flux, at: Self.morning, limits: limits) == .reserved)
        }
        // Reserving again for the same job replaces its own estimate: it is not counted twice.
        #expect(try await journal.reserveSpend(ids[2], inbox: "a", estimate: Self.flux, at: Self.morning, limits: limits) == .reserved)
        let fourth = try await journal.reserveSpend(ids[3], inbox: "a", estimate: Self.flux, at: Self.morning, limits: limits)
        guard case .overBudget(let exceeded, let newly, _, let service) = fourth else {
            Issue.record("the fourth job was let through: \(fourth)")
            return
        }
        #expect(exceeded == [limits[0]])
        #expect(newly == [limits[0]])
        #expect(abs(service.inFlightToday - 3 * Self.flux) < 1e-9)
        let fifth = try await journal.reserveSpend(ids[4], inbox: "a", estimate: Self.flux, at: Self.morning, limits: limits)
        guard case .overBudget(_, let again, _, _) = fifth else {
            Issue.record("the fifth job was let through")
            return
        }
        #expect(again.isEmpty, "the crossing was reported twice")

        // Booking a lower real cost (nothing, here) frees room for one more.
        try await journal.bookSpend(ids[0], inbox: "a", cost: 0, at: Self.morning)
        #expect(try await journal.reserveSpend(ids[3], inbox: "a", estimate: Self.flux, at: Self.morning, limits: limits) == .reserved)
        let totals = try journal.spendTotals(at: Self.morning)["a"]
        #expect(totals?.bookedToday == 0)
        #expect(totals.map { abs($0.inFlightToday - 3 * Self.flux) < 1e-9 } == true)

        // The next UTC day the daily budget starts afresh, the month's does not: 3 × 0.036 in flight are in it,
        // so one more fits the month's 4.5 × 0.036 and a second does not.
        let tomorrow = SpendPeriod(Self.morning).nextDay.addingTimeInterval(1)
        #expect(try journal.spendTotals(at: tomorrow)["a"]?.today == 0)
        let nextDay = try await journal.reserveSpend(ids[4], inbox: "a", estimate: Self.flux, at: tomorrow, limits: limits)
        #expect(nextDay == .reserved)
        let sixth = try await journal.job(named: "spend-6", in: .claimed).id
        let overMonth = try await journal.reserveSpend(sixth, inbox: "a", estimate: Self.flux, at: tomorrow, limits: limits)
        guard case .overBudget(let monthly, let reported, _, _) = overMonth else {
            Issue.record("the monthly budget let a sixth job through")
            return
        }
        #expect(monthly == [limits[1]])
        #expect(reported == [limits[1]])
        // A new month starts with nothing spent.
        #expect(try journal.spendTotals(at: SpendPeriod(tomorrow).nextMonth)["a"] == nil)
    }

    @Test("inbox limits count only their inbox; the service's counts every inbox")
    func scopes() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let service = BudgetLimit(scope: .service, period: .day, usd: 1)
        let a = BudgetLimit(scope: .inbox("a"), period: .day, usd: 0.05)
        let first = try await journal.job(named: "a-1", in: .claimed).id
        let second = try await journal.job(named: "a-2", in: .claimed).id
        let other = try await journal.job(named: "b-1", in: .claimed).id
        #expect(try await journal.reserveSpend(first, inbox: "a", estimate: Self.flux, at: Self.morning, limits: [service, a]) == .reserved)
        #expect(try await journal.reserveSpend(other, inbox: "b", estimate: 0.95, at: Self.morning, limits: [service]) == .reserved)
        let decision = try await journal.reserveSpend(second, inbox: "a", estimate: Self.flux, at: Self.morning, limits: [service, a])
        guard case .overBudget(let exceeded, _, let totals, let all) = decision else {
            Issue.record("inbox a went over its own limit")
            return
        }
        #expect(Set(exceeded) == [service, a])
        #expect(abs(totals.today - Self.flux) < 1e-9)
        #expect(abs(all.today - (0.95 + Self.flux)) < 1e-9)
    }

    @Test("after a crash, estimates of jobs never sent are given back; those maybe sent keep counting, across a reopen")
    func crashRecovery() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let limits = [BudgetLimit(scope: .service, period: .day, usd: 1)]
        let queued = try await journal.job(named: "queued", in: .claimed)
        let maybeSent = try await journal.job(named: "maybe-sent", in: .claimed)
        let answered = try await journal.job(named: "answered", in: .claimed)
        for job in [queued, maybeSent, answered] {
            #expect(try await journal.reserveSpend(job.id, inbox: "a", estimate: 0.2, at: Self.morning, limits: limits) == .reserved)
        }
        try await journal.markSubmitting(maybeSent.id)
        _ = try await journal.advance(answered.id, to: .submitting)
        _ = try await journal.advance(answered.id, to: .submitted)
        try journal.close()

        let reopened = try fixture.reopen()
        #expect(try await reopened.releaseUnsentSpend() == 1)
        let totals = try reopened.spendTotals(at: Self.morning)["a"]
        #expect(totals.map { abs($0.inFlightToday - 0.4) < 1e-9 } == true, "\(String(describing: totals))")
        // Released without a charge: nothing counts; booked without Segmind's figure: the estimate counts as spent.
        try await reopened.releaseSpend(maybeSent.id)
        try await reopened.bookSpend(answered.id, inbox: "a", cost: nil, at: Self.morning)
        let after = try reopened.spendTotals(at: Self.morning)["a"]
        #expect(after == SpendTotals(bookedToday: 0.2, bookedThisMonth: 0.2))
        // A booked cost is never given back.
        try await reopened.releaseSpend(answered.id)
        #expect(try reopened.spendTotals(at: Self.morning)["a"]?.bookedToday == 0.2)
    }

    @Test("the spooled outputs book the cost in their own write; a refused step books nothing; without limits every estimate is reserved")
    func bookedWithTheSpool() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let job = try await journal.job(named: "paid", in: .claimed)
        // No limit: reserved whatever is spent, and the estimate still journaled for status and later limits.
        #expect(try await journal.reserveSpend(job.id, inbox: "a", estimate: 5, at: Self.morning, limits: []) == .reserved)
        #expect(try journal.spendTotals(at: Self.morning)["a"] == SpendTotals(inFlightToday: 5, inFlightThisMonth: 5))
        _ = try await journal.advance(job.id, to: .submitting)
        _ = try await journal.advance(job.id, to: .submitted)
        let spooled = try await journal.recordSpooled(job.id, spoolPath: "/spool/paid", outputs: "[]", booking: (inbox: "a", cost: 0.03))
        #expect(spooled.state == .spooled)
        #expect(try journal.spendTotals(at: Self.morning)["a"] == SpendTotals(bookedToday: 0.03, bookedThisMonth: 0.03))

        // A job not in `submitted` is refused, and its booking goes with the refused step.
        let early = try await journal.job(named: "early", in: .claimed)
        #expect(try await journal.reserveSpend(early.id, inbox: "b", estimate: 0.2, at: Self.morning, limits: []) == .reserved)
        await #expect(throws: JournalError.illegalTransition(id: early.id, from: .claimed, to: .spooled)) {
            try await journal.recordSpooled(early.id, spoolPath: "/spool/early", outputs: "[]", booking: (inbox: "b", cost: 0.1))
        }
        #expect(try journal.spendTotals(at: Self.morning)["b"] == SpendTotals(inFlightToday: 0.2, inFlightThisMonth: 0.2))
    }

    @Test("a job is held for budget from claimed only, and released back to claimed")
    func holdAndRelease() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let job = try await journal.job(named: "held", in: .claimed)
        #expect(try await journal.holdForBudget(job.id).state == .waitingForBudget)
        #expect(try journal.countsByState()[.waitingForBudget] == 1)
        #expect(try journal.nextToSubmit(limit: 5).isEmpty, "a job held for budget was offered for submission")
        #expect(try await journal.releaseFromBudget(job.id).state == .claimed)
        let submitting = try await journal.job(named: "sending", in: .submitting)
        await #expect(throws: JournalError.illegalTransition(id: submitting.id, from: .submitting, to: .waitingForBudget)) {
            try await journal.holdForBudget(submitting.id)
        }
    }
}
