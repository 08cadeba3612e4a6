import FacedropTestSupport
import Foundation
import Journal
import Testing

@Suite("Cancellation: only unsent jobs, decided against the intent to submit")
struct JournalCancellationTests {
    static let record = #"{"code":"cancelled"}"#

    @Test("an unsent job is cancelled with its record; a job sent or finished is refused and unchanged")
    func onlyUnsentJobs() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        for state in JobState.allCases {
            let job = try await journal.job(named: "cancel-\(state)", in: state)
            if JobState.unsent.contains(state) {
                let cancelled = try await journal.markCancelled(job.id, record: Self.record)
                #expect(cancelled.state == .cancelled)
                #expect(cancelled.errorCode == "cancelled")
                #expect(cancelled.errorRecord == Self.record)
                #expect(cancelled.resultFolder == nil)
            } else {
                await #expect(throws: JournalError.illegalTransition(id: job.id, from: state, to: .cancelled)) {
                    try await journal.markCancelled(job.id, record: Self.record)
                }
                #expect(try journal.job(job.id) == job)
            }
        }
        #expect(try journal.undeliveredCancellations().map(\.name).sorted() == (JobState.unsent.map { "cancel-\($0)" } + ["cancel-cancelled"]).sorted())
    }

    @Test("whichever commits first wins: a cancelled job's intent to submit is refused, a submitting job's cancel too")
    func cancelAgainstTheIntent() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let first = try await journal.job(named: "cancelled-first", in: .claimed)
        try await journal.markCancelled(first.id, record: Self.record)
        await #expect(throws: JournalError.illegalTransition(id: first.id, from: .cancelled, to: .submitting)) {
            try await journal.markSubmitting(first.id)
        }
        let sent = try await journal.job(named: "sent-first", in: .claimed)
        try await journal.markSubmitting(sent.id)
        await #expect(throws: JournalError.illegalTransition(id: sent.id, from: .submitting, to: .cancelled)) {
            try await journal.markCancelled(sent.id, record: Self.record)
        }
    }

    @Test("a cancel gives back the job's budget reservation, and a cancelled job cannot reserve again")
    func reservationGivenBack() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let job = try await journal.job(named: "reserved", in: .claimed)
        #expect(try await journal.reserveSpend(job.id, inbox: "a", estimate: 0.5, at: now, limits: []) == .reserved)
        #expect(try journal.spendTotals(at: now)["a"]?.inFlightToday == 0.5)
        try await journal.markCancelled(job.id, record: Self.record)
        #expect((try journal.spendTotals(at: now)["a"]?.inFlightToday ?? 0) == 0)
        await #expect(throws: JournalError.illegalTransition(id: job.id, from: .cancelled, to: .submitting)) {
            try await journal.reserveSpend(job.id, inbox: "a", estimate: 0.5, at: now, limits: [])
        }
        #expect((try journal.spendTotals(at: now)["a"]?.inFlightToday ?? 0) == 0)
    }

    @Test("a delivered cancellation is recorded; jobs are found by ID, #ID, name and subpath/name")
    func deliveryAndLookup() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let job = try await journal.job(named: "lookup", in: .claimed)
        try await journal.markCancelled(job.id, record: Self.record)
        let delivered = try await journal.recordCancellationDelivered(job.id, resultFolder: "/srv/outbox/cancelled/lookup")
        #expect(delivered.resultFolder == "/srv/outbox/cancelled/lookup")
        #expect(try journal.undeliveredCancellations().isEmpty)
        #expect(try journal.jobs(named: "\(job.id)").map(\.id) == [job.id])
        #expect(try journal.jobs(named: "#\(job.id)").map(\.id) == [job.id])
        #expect(try journal.jobs(named: "lookup").map(\.id) == [job.id])
        #expect(try journal.jobs(named: "team/lookup").map(\.id) == [job.id])
        #expect(try journal.jobs(named: "other/lookup").isEmpty)
        #expect(try journal.jobs(named: "nosuch").isEmpty)
        let queued = try await journal.job(named: "queued", in: .waitingForBudget)
        _ = try await journal.job(named: "running", in: .submitted)
        #expect(try journal.unsentJobs(inbox: nil).map(\.id) == [queued.id])
        #expect(try journal.unsentJobs(inbox: queued.inbox).map(\.id) == [queued.id])
        #expect(try journal.unsentJobs(inbox: "elsewhere").isEmpty)
    }
}
