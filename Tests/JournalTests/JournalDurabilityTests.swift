import FacedropTestSupport
import Foundation
import Testing

@testable import Journal

/// Which transitions wait for the disk: the promises (no job paid for twice, no request ID or paid result lost, one
/// ending per job) need the synced ones on disk before the daemon goes on; the deferred ones may be lost in a power
/// loss together with what follows them, and skip the sync.
@Suite("Journal durability")
struct JournalDurabilityTests {
    /// Runs `change` alone in its own commit and returns how that commit was made.
    func commit(_ journal: JobJournal, _ change: () async throws -> Void) async throws -> JobJournal.CommitCounts {
        let before = journal.commitCounts
        try await change()
        let after = journal.commitCounts
        return JobJournal.CommitCounts(synced: after.synced - before.synced, deferred: after.deferred - before.deferred)
    }

    static let synced = JobJournal.CommitCounts(synced: 1, deferred: 0)
    static let deferred = JobJournal.CommitCounts(synced: 0, deferred: 1)

    @Test("Each step of a job is committed synced or deferred as its promise needs, and the connection rests at FULL")
    func stepsOfAJob() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        var id: Int64 = 0
        #expect(try await commit(journal) { id = try await journal.recordClaim(.sample("job")).id } == Self.deferred)
        #expect(try journal.durabilitySettings() == .init(journalMode: "wal", synchronous: "2"))
        let reserve = try await commit(journal) {
            _ = try await journal.reserveSpend(id, inbox: "/srv/inbox", estimate: 0.01, at: fixture.clock.now, limits: [])
        }
        #expect(reserve == Self.deferred)
        #expect(try await commit(journal) { try await journal.markSubmitting(id) } == Self.synced)
        let submitted = try await commit(journal) {
            try await journal.recordSubmitted(id, requestID: "req-1", statusURL: nil, responseURL: nil)
        }
        #expect(submitted == Self.synced)
        #expect(try await commit(journal) { try await journal.recordPoll(id, nextPollAt: fixture.clock.now) } == Self.deferred)
        #expect(try journal.durabilitySettings() == .init(journalMode: "wal", synchronous: "2"))
        #expect(try await commit(journal) { try await journal.reschedulePoll(id, nextPollAt: fixture.clock.now) } == Self.deferred)
        #expect(try await commit(journal) { try await journal.recordResult(id, result: #"{"status":"COMPLETED"}"#) } == Self.synced)
        let booked = try await commit(journal) { try await journal.bookSpend(id, inbox: "/srv/inbox", cost: 0.01, at: fixture.clock.now) }
        #expect(booked == Self.deferred)
        let spooled = try await commit(journal) {
            try await journal.recordSpooled(
                id,
                spoolPath: "/var/lib/facedrop/spool/1",
                outputs: "[]",
                booking: (inbox: "/srv/inbox", cost: 0.01),
                estimate: RunTimeEstimate(model: "pulid-base", sizeBucket: 1, seconds: 3, samples: 1)
            )
        }
        #expect(spooled == Self.synced)
        #expect(try await commit(journal) { try await journal.markDelivered(id, resultFolder: "/srv/outbox/done/job") } == Self.synced)
        #expect(try await commit(journal) { try await journal.markDone(id) } == Self.deferred)
        #expect(try journal.durabilitySettings() == .init(journalMode: "wal", synchronous: "2"))
    }

    @Test("A failure, its delivery and a take-back of the intent are synced")
    func failuresAreSynced() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let sent = try await journal.job(named: "sent", in: .submitting)
        #expect(try await commit(journal) { try await journal.markNotSent(sent.id) } == Self.synced)
        let failing = try await journal.job(named: "failing", in: .submitted)
        #expect(try await commit(journal) { try await journal.markFailed(failing.id, code: "x", record: "{}") } == Self.synced)
        let delivered = try await commit(journal) {
            try await journal.recordFailureDelivered(failing.id, resultFolder: "/srv/outbox/failed/failing")
        }
        #expect(delivered == Self.synced)
    }

    @Test("A deferred change that shares a transaction with a synced one is synced with it")
    func mixedBatchIsSynced() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let polled = try await journal.job(named: "polled", in: .submitted)
        let submitting = try await journal.job(named: "submitting", in: .claimed)
        let hold = try await GroupCommitTests.WriterHold(journal)
        let before = journal.commitCounts
        let poll = Task { try await journal.recordPoll(polled.id, nextPollAt: fixture.clock.now) }
        let intent = Task { try await journal.markSubmitting(submitting.id) }
        #expect(await eventually { journal.writer.queued == 2 })
        try await hold.release()
        _ = try await (poll.value, intent.value)
        let after = journal.commitCounts
        // The hold's own change (synced) and then one transaction for both queued changes, synced for the intent.
        #expect(after.synced - before.synced == 2)
        #expect(after.deferred == before.deferred)
    }
}
