import FacedropTestSupport
import Foundation
import Journal
import Testing

@Suite("Recovery and persistence")
struct JournalRecoveryTests {
    @Test("recover() sorts each unfinished state into its action and ignores finished jobs")
    func recoveryPerState() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        var ids: [JobState: Int64] = [:]
        for state in JobState.allCases {
            ids[state] = try await journal.job(named: "recover-\(state)", in: state).id
        }
        let plan = try journal.recover()
        #expect(plan.outcomeUnknown.map(\.id) == [ids[.submitting]])
        #expect(plan.resumePolling.map(\.id) == [ids[.submitted]])
        #expect(plan.resumePolling.first?.requestID == "req-\(ids[.submitted] ?? 0)")
        #expect(plan.redeliver.map(\.id) == [ids[.spooled]])
        #expect(plan.finish.map(\.id) == [ids[.delivered]])
        #expect(Set(plan.requeue.map(\.id)) == [ids[.claimed], ids[.waitingForCredits], ids[.waitingForBudget]])
        #expect(!plan.isEmpty)
    }

    @Test("An empty journal has nothing to recover")
    func emptyRecovery() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        #expect(try fixture.journal.recover().isEmpty)
    }

    @Test("Jobs and their fields survive closing and reopening")
    func persistenceAcrossReopen() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let submitted = try await fixture.journal.job(named: "kept", in: .submitted)
        let polled = try await fixture.journal.recordPoll(submitted.id, nextPollAt: fixture.clock.now.addingTimeInterval(9))
        let failed = try await fixture.journal.job(named: "gone", in: .failed)
        try fixture.journal.close()

        let reopened = try fixture.reopen()
        #expect(try reopened.job(polled.id) == polled)
        #expect(try reopened.job(failed.id) == failed)
        #expect(try reopened.recover().resumePolling == [polled])
        // New IDs never reuse old ones, so a log line's job ID stays unambiguous.
        #expect(try await reopened.recordClaim(.sample("new")).id > failed.id)
    }

    /// A crash leaves the main file plus a WAL not yet checkpointed on disk. Copying both while the journal is still
    /// open (no close, so no checkpoint) reproduces exactly what a SIGKILL right after `markSubmitting` returns leaves.
    @Test("A submitting job committed only to the WAL is found as outcome unknown after a crash")
    func crashAfterSubmitting() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let job = try await fixture.journal.job(named: "in-the-air", in: .submitting)

        let crashed = try TemporaryDirectory(prefix: "facedrop-journal-crashed")
        defer { withExtendedLifetime(crashed) {} }
        let files = FileManager.default
        let source = fixture.journal.path
        let walSize = try #require(files.attributesOfItem(atPath: source + "-wal")[.size] as? Int)
        #expect(walSize > 0)
        for suffix in ["", "-wal"] {
            try files.copyItem(atPath: source + suffix, toPath: crashed.appending(JobJournal.fileName + suffix))
        }

        let restarted = try JobJournal(stateDirectory: crashed.path)
        let plan = try restarted.recover()
        #expect(plan.outcomeUnknown.map(\.claimedPath) == [job.claimedPath])
        #expect(plan.outcomeUnknown.first?.state == .submitting)
        #expect(plan.requeue.isEmpty)

        // Without the WAL the intent is gone: the record above really came from replaying the WAL.
        let mainFileOnly = try TemporaryDirectory(prefix: "facedrop-journal-main-only")
        defer { withExtendedLifetime(mainFileOnly) {} }
        try files.copyItem(atPath: source, toPath: mainFileOnly.appending(JobJournal.fileName))
        #expect(try JobJournal(stateDirectory: mainFileOnly.path).recover().outcomeUnknown.isEmpty)
    }

    @Test("The journal runs in WAL mode with synchronous=FULL")
    func durabilityPragmas() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        #expect(try fixture.journal.durabilitySettings() == .init(journalMode: "wal", synchronous: "2"))
        let reopened = try fixture.reopen()
        #expect(try reopened.durabilitySettings() == .init(journalMode: "wal", synchronous: "2"))
    }

    @Test("An unopenable path fails with a typed error naming it")
    func cannotOpen() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let directory = fixture.directory
        let blocker = directory.appending("file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        #expect {
            try JobJournal(stateDirectory: blocker)
        } throws: { error in
            guard case .cannotOpen(let path, _) = error as? JournalError else { return false }
            return path == blocker + "/journal.sqlite"
        }
    }
}
