import Foundation
import Journal
import Testing

@Suite("Hooks in the journal")
struct JournalHookTests {
    /// A job walked to `delivered` in `folder`.
    private func delivered(_ journal: JobJournal, _ name: String, folder: String) async throws -> JobRecord {
        let job = try await journal.recordClaim(.sample(name))
        try await journal.markSubmitting(job.id)
        try await journal.recordSubmitted(job.id, requestID: "req-\(name)", statusURL: nil, responseURL: nil)
        try await journal.recordSpooled(job.id, spoolPath: "/spool/\(job.id)", outputs: "[]")
        return try await journal.markDelivered(job.id, resultFolder: folder)
    }

    @Test("hooks are due with the job's end, survive a reopen until finished, and are never due twice")
    func dueUntilFinished() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let done = try await delivered(journal, "portrait", folder: "/outbox/done/portrait")
        try await journal.markDone(done.id, hooks: [.command, .webhook])
        let failing = try await journal.recordClaim(.sample("broken"))
        try await journal.markFailed(failing.id, code: "invalid_input", record: "{}")
        try await journal.recordFailureDelivered(failing.id, resultFolder: "/outbox/failed/broken", hooks: [.command])
        // Delivered again after a crash: the hook already due is not added twice.
        try await journal.recordFailureDelivered(failing.id, resultFolder: "/outbox/failed/broken", hooks: [.command])

        let reopened = try fixture.reopen()
        let pending = try reopened.unfinishedHooks()
        #expect(pending.map(\.kind) == [.command, .webhook, .command])
        let first = try #require(pending.first)
        #expect(first.event == .done)
        #expect(first.job == "portrait")
        #expect(first.folder == "/outbox/done/portrait")
        #expect(first.requestID == "req-portrait")
        #expect(first.dueAt == fixture.clock.now)
        #expect(pending[2].event == .failed)
        #expect(pending[2].errorCode == "invalid_input")
        #expect(pending[2].folder == "/outbox/failed/broken")

        try await reopened.recordHookAttempt(pending[1].id)
        try await reopened.finishHook(first.id, outcome: "exit 0")
        try await reopened.finishHook(first.id, outcome: "exit 1")
        let left = try reopened.unfinishedHooks()
        #expect(left.map(\.id) == [pending[1].id, pending[2].id])
        #expect(left.first?.attempts == 1)
        let outcomes = try reopened.hookOutcomes(job: done.id)
        #expect(outcomes.count == 2)
        #expect(outcomes[.command] == .some("exit 0"))
        #expect(outcomes[.webhook] == .some(String?.none))
    }

    @Test("a job without hooks records none")
    func noHooks() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let job = try await delivered(fixture.journal, "plain", folder: "/outbox/done/plain")
        try await fixture.journal.markDone(job.id)
        #expect(try fixture.journal.unfinishedHooks().isEmpty)
        #expect(try fixture.journal.hookOutcomes(job: job.id).isEmpty)
    }
}
