import Dispatch
import Foundation
import GRDB
import Synchronization
import Testing

@testable import Journal

@Suite("Group commit")
struct GroupCommitTests {
    /// Holds the journal's writer thread inside a transaction until `release()`, so the changes queued meanwhile
    /// are known to travel together in the next one.
    final class WriterHold: Sendable {
        private let gate = DispatchSemaphore(value: 0)
        private let entered = DispatchSemaphore(value: 0)
        private let task: Task<Void, any Error>

        init(_ journal: JobJournal) async throws {
            let gate = self.gate
            let entered = self.entered
            task = Task {
                _ = try await journal.write { _ in
                    entered.signal()
                    gate.wait()
                }
            }
            try await eventually("the writer holds") { entered.wait(timeout: .now()) == .success }
        }

        func release() async throws {
            gate.signal()
            try await task.value
        }
    }

    @Test("Changes queued while a commit is running share the next transaction, and each caller gets its own record")
    func concurrentChangesShareOneCommit() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let hold = try await WriterHold(journal)
        let before = journal.writer.commits.load(ordering: .relaxed)

        let claims = Task {
            try await withThrowingTaskGroup(of: JobRecord.self) { group in
                for number in 0..<50 {
                    group.addTask { try await journal.recordClaim(.sample("job-\(number)")) }
                }
                return try await group.reduce(into: [JobRecord]()) { $0.append($1) }
            }
        }
        try await eventually("50 changes queued") { journal.writer.queued == 50 }
        try await hold.release()
        let records = try await claims.value

        #expect(journal.writer.commits.load(ordering: .relaxed) == before + 2)
        #expect(Set(records.map(\.id)).count == 50)
        #expect(Set(records.map(\.name)) == Set((0..<50).map { "job-\($0)" }))
        #expect(try journal.countsByState()[.claimed] == 50)
    }

    @Test("A change from a thread that blocks on its commit travels in the same group commit as the tasks' changes")
    func blockingChangeSharesTheCommit() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let sending = try await journal.recordClaim(.sample("sending"))
        let hold = try await WriterHold(journal)
        let before = journal.writer.commits.load(ordering: .relaxed)

        let queued = Task { try await journal.recordClaim(.sample("queued")) }
        try await eventually("1 change queued") { journal.writer.queued == 1 }
        let blocked = Mutex<Result<JobRecord, JournalError>?>(nil)
        let returned = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do throws(JournalError) {
                let record = try journal.markSubmittingBlocking(sending.id)
                blocked.withLock { $0 = .success(record) }
            } catch {
                blocked.withLock { $0 = .failure(error) }
            }
            returned.signal()
        }
        try await eventually("2 changes queued") { journal.writer.queued == 2 }
        // The thread waits for the commit: nothing has answered it while the writer is held.
        #expect(blocked.withLock { $0 } == nil)
        try await hold.release()
        try await eventually("the blocked thread answered") { returned.wait(timeout: .now()) == .success }

        #expect(try await queued.value.state == .claimed)
        #expect(try blocked.withLock { $0 }?.get().state == .submitting)
        #expect(journal.writer.commits.load(ordering: .relaxed) == before + 2)
    }

    @Test("A refused change in a shared transaction rolls back alone; the others commit")
    func refusedChangeRollsBackAlone() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let first = try await journal.recordClaim(.sample("first"))
        let second = try await journal.recordClaim(.sample("second"))
        let hold = try await WriterHold(journal)

        let good = Task { try await journal.markSubmitting(first.id) }
        let illegal = Task { try await journal.markDone(second.id) }
        let duplicate = Task { try await journal.recordClaim(.sample("first")) }
        let fresh = Task { try await journal.recordClaim(.sample("third")) }
        try await eventually("4 changes queued") { journal.writer.queued == 4 }
        try await hold.release()

        #expect(try await good.value.state == .submitting)
        await #expect(throws: JournalError.illegalTransition(id: second.id, from: .claimed, to: .done)) { try await illegal.value }
        await #expect(throws: JournalError.duplicateClaim(claimedPath: first.claimedPath)) { try await duplicate.value }
        #expect(try await fresh.value.state == .claimed)
        #expect(try journal.job(first.id)?.state == .submitting)
        #expect(try journal.job(second.id)?.state == .claimed)
        #expect(try journal.countsByState().filter { $0.value > 0 } == [.claimed: 2, .submitting: 1])
    }

    @Test("A change that fails halfway through a shared transaction leaves none of its writes; the ones around it commit")
    func halfDoneChangeLeavesNothing() async throws {
        struct Refused: Error {}
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let first = try await journal.recordClaim(.sample("first"))
        let second = try await journal.recordClaim(.sample("second"))
        let hold = try await WriterHold(journal)

        let before = Task { try await journal.markSubmitting(first.id) }
        try await eventually("1 change queued") { journal.writer.queued == 1 }
        let halfDone = Task {
            try await journal.write { db in
                try db.execute(sql: "DELETE FROM job WHERE id = ?", arguments: [second.id])
                throw Refused()
            }
        }
        try await eventually("2 changes queued") { journal.writer.queued == 2 }
        let after = Task { try await journal.recordClaim(.sample("third")) }
        try await eventually("3 changes queued") { journal.writer.queued == 3 }
        let commits = journal.writer.commits.load(ordering: .relaxed)
        try await hold.release()

        #expect(try await before.value.state == .submitting)
        await #expect(throws: JournalError.self) { try await halfDone.value }
        #expect(try await after.value.state == .claimed)
        #expect(journal.writer.commits.load(ordering: .relaxed) == commits + 2)
        #expect(try journal.job(second.id)?.state == .claimed)
        #expect(try journal.countsByState().filter { $0.value > 0 } == [.claimed: 2, .submitting: 1])
    }

    @Test("A change that ends the shared transaction fails the whole group, and no change after it commits on its own")
    func endedTransactionCommitsNothingAfter() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let first = try await journal.recordClaim(.sample("first"))
        let hold = try await WriterHold(journal)

        let ending = Task { try await journal.write { db in try db.execute(sql: "ROLLBACK") } }
        try await eventually("1 change queued") { journal.writer.queued == 1 }
        let after = Task { try await journal.recordClaim(.sample("after")) }
        try await eventually("2 changes queued") { journal.writer.queued == 2 }
        try await hold.release()

        await #expect(throws: JournalError.self) { try await ending.value }
        await #expect(throws: JournalError.self) { try await after.value }
        #expect(try journal.job(claimedPath: JobClaim.sample("after").claimedPath) == nil)
        #expect(try journal.job(first.id)?.state == .claimed)
    }

    @Test("Closing answers what is queued first; a change after close fails with a readable error")
    func closeDrainsThenRefuses() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let hold = try await WriterHold(journal)
        let queued = Task { try await journal.recordClaim(.sample("queued")) }
        try await eventually("1 change queued") { journal.writer.queued == 1 }
        let closing = Task.detached { try journal.close() }
        try await hold.release()
        try await closing.value

        #expect(try await queued.value.state == .claimed)
        await #expect(throws: JournalError.database(reason: "the journal is closed")) {
            try await journal.recordClaim(.sample("late"))
        }
        let reopened = try fixture.reopen()
        #expect(try reopened.job(claimedPath: JobClaim.sample("queued").claimedPath)?.state == .claimed)
    }

    @Test("A committed change is on disk when its caller resumes: a second connection sees it at once")
    func committedMeansVisible() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let other = try fixture.reopen()
        for number in 0..<20 {
            let record = try await journal.recordClaim(.sample("job-\(number)"))
            #expect(try other.job(record.id)?.state == .claimed)
        }
    }
}

/// Polls `condition` every 5 ms for up to 60 s.
///
/// What it waits for takes milliseconds, but needs a turn on Swift's cooperative pool (the task that queues a
/// change). On a two-core machine under load, other suites' synchronous tests can hold both of its threads for
/// over 10 s, so the limit only bounds a test that is really stuck.
private func eventually(_ what: String, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting until \(what)")
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}
