import FacedropTestSupport
import Foundation
import Testing

@testable import Journal

@Suite("Journal run time estimates")
struct JournalRunTimeEstimateTests {
    @Test("Estimates are stored per model and size bucket, replaced in place, and survive reopening the journal")
    func roundTrip() async throws {
        let fixture = try JournalFixture()
        let journal = fixture.journal
        #expect(try journal.runTimeEstimates().isEmpty)
        func learn(_ name: String, bucket: Int, seconds: Double, samples: Int) async throws {
            let job = try await journal.job(named: name, in: .submitted)
            let update = RunTimeEstimate(model: "pulid-lightning", sizeBucket: bucket, seconds: seconds, samples: samples)
            try await journal.recordSpooled(job.id, spoolPath: "/spool/\(name)", outputs: "[]", estimate: update)
        }
        try await learn("first", bucket: 25, seconds: 2.5, samples: 1)
        try await learn("larger", bucket: 27, seconds: 9, samples: 1)
        fixture.clock.advance(by: 60)
        try await learn("second", bucket: 25, seconds: 2.2, samples: 2)
        try journal.close()

        let reopened = try fixture.reopen()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(
            try reopened.runTimeEstimates() == [
                StoredRunTimeEstimate(
                    RunTimeEstimate(model: "pulid-lightning", sizeBucket: 25, seconds: 2.2, samples: 2),
                    updatedAt: start.addingTimeInterval(60)
                ),
                StoredRunTimeEstimate(RunTimeEstimate(model: "pulid-lightning", sizeBucket: 27, seconds: 9, samples: 1), updatedAt: start),
            ]
        )
    }

    @Test("The estimate learned from a job is stored with its spooled outputs, and not when that write is refused")
    func storedWithTheSpooledOutputs() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let job = try await journal.job(named: "finished", in: .submitted)
        let learned = RunTimeEstimate(model: "flux-pulid", sizeBucket: 30, seconds: 41.5, samples: 3)
        let spooled = try await journal.recordSpooled(job.id, spoolPath: "/spool/1", outputs: "[]", estimate: learned)
        #expect(spooled.state == .spooled)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(
            try journal.runTimeEstimates() == [
                StoredRunTimeEstimate(RunTimeEstimate(model: "flux-pulid", sizeBucket: 30, seconds: 41.5, samples: 3), updatedAt: start)
            ]
        )

        // A transition the journal refuses (the job is spooled already) stores nothing either: one transaction.
        let other = RunTimeEstimate(model: "instantid", sizeBucket: 28, seconds: 7, samples: 1)
        await #expect(throws: JournalError.self) {
            try await journal.recordSpooled(job.id, spoolPath: "/spool/1", outputs: "[]", estimate: other)
        }
        #expect(try journal.runTimeEstimates().map(\.estimate.model) == ["flux-pulid"])
    }

    @Test("A journal from before the estimates opens with none and takes them")
    func upgrade() async throws {
        let directory = try await JournalUpgradeTests.oldJournal(
            upTo: "v3: result",
            insert: """
                INSERT INTO job (inbox, subpath, name, claimed_path, face_path, dropped_at, ready_at, state, updated_at)
                VALUES ('team', '', 'old', '/srv/inbox/.facedrop/old', '/srv/inbox/.facedrop/old/input/old.png', 1, 2, 'claimed', 3)
                """
        )
        let journal = try JobJournal(stateDirectory: directory.path)
        #expect(try journal.runTimeEstimates().isEmpty)
        let job = try await journal.job(named: "new", in: .submitted)
        let update = RunTimeEstimate(model: "instantid", sizeBucket: 28, seconds: 7.7, samples: 1)
        try await journal.recordSpooled(job.id, spoolPath: "/spool/new", outputs: "[]", estimate: update)
        #expect(try journal.runTimeEstimates().map(\.estimate.model) == ["instantid"])
        #expect(try journal.job(claimedPath: "/srv/inbox/.facedrop/old") != nil)
    }

    @Test("Rescheduling a poll moves its due time without counting a poll")
    func reschedule() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let job = try await journal.job(named: "waiting", in: .submitted)
        let polled = try await journal.recordPoll(job.id, nextPollAt: fixture.clock.now.addingTimeInterval(20))
        let moved = try await journal.reschedulePoll(job.id, nextPollAt: fixture.clock.now.addingTimeInterval(2))
        #expect(moved.nextPollAt == fixture.clock.now.addingTimeInterval(2))
        #expect(moved.polls == polled.polls)
        #expect(moved.state == .submitted)
    }
}
