import FacedropTestSupport
import Foundation
import InMemoryLogging
import Journal
import Logging
import Synchronization
import Testing

@testable import Daemon

/// The journal pruner forgets old finished jobs at start and when a job finishes a day after its last pass, never
/// sooner, and sets no timer.
@Suite("The journal pruner")
struct JournalPrunerTests {
    /// A wall clock moved by hand, shared by the journal (a job's `updated_at`) and the pruner (ages).
    final class Wall: Sendable {
        private let date = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
        var now: Date { date.withLock { $0 } }
        func advance(days: Double) { date.withLock { $0 = $0.addingTimeInterval(days * 86_400) } }
    }

    /// A job taken from its claim to done at the wall clock's now.
    static func doneJob(_ name: String, in journal: JobJournal, inbox: String = "/srv/inbox") async throws {
        let claim = JobClaim(
            inbox: inbox,
            subpath: "",
            name: name,
            claimedPath: "\(inbox)/.facedrop/claim-\(name)",
            facePath: "\(inbox)/.facedrop/claim-\(name)/\(name).jpg",
            droppedAt: Date(timeIntervalSince1970: 1_700_000_000),
            readyAt: Date(timeIntervalSince1970: 1_700_000_000)
        )
        var job = try await journal.recordClaim(claim)
        job = try await journal.markSubmitting(job.id)
        job = try await journal.recordSubmitted(job.id, requestID: "r-\(name)", statusURL: "https://x/s", responseURL: "https://x/r")
        job = try await journal.recordSpooled(job.id, spoolPath: "/s", outputs: "[]")
        job = try await journal.markDelivered(job.id, resultFolder: "/srv/outbox/done/\(name)")
        try await journal.markDone(job.id)
    }

    @Test("a pass at start; a job finished within a day of it rings for none, one finished a day later for one")
    func passes() async throws {
        let folder = try TemporaryDirectory(prefix: "facedrop-journal-pruner")
        let wall = Wall()
        let journal = try JobJournal(stateDirectory: folder.appending("state"), now: { wall.now })
        let logs = InMemoryLogHandler()
        let files = FileWorkPool(threads: 1, name: "test-prune")
        let pruner = JournalPruner(journal: journal, files: files, keepDays: 30, wallClock: { wall.now }, logger: Logger(label: "facedrop") { _ in logs })

        try await Self.doneJob("old", in: journal)
        wall.advance(days: 31)
        try await Self.doneJob("recent", in: journal)
        wall.advance(days: 29.6)
        let running = Task { await pruner.run() }
        defer { running.cancel() }
        #expect(await eventually { (try? journal.job(claimedPath: "/srv/inbox/.facedrop/claim-old")) == nil }, "the pass at start")
        #expect(try journal.job(claimedPath: "/srv/inbox/.facedrop/claim-recent") != nil)
        #expect(
            await eventually {
                logs.entries.contains { $0.message.description == "the journal forgot old finished jobs" && "\($0.metadata["jobs"] ?? "")" == "1" }
            }
        )

        // Half a day later "recent" is 30.1 days old, but a job that finishes now rings for no pass.
        wall.advance(days: 0.5)
        pruner.jobFinished()
        try await Task.sleep(for: .milliseconds(200))
        #expect(try journal.job(claimedPath: "/srv/inbox/.facedrop/claim-recent") != nil, "no pass within a day of the last")
        // A day after the last pass, the next finished job does.
        wall.advance(days: 0.5)
        pruner.jobFinished()
        #expect(await eventually { (try? journal.job(claimedPath: "/srv/inbox/.facedrop/claim-recent")) == nil }, "a pass a day later")
        try journal.close()
    }

    @Test("a finished job whose claim folder is still on disk is kept until the folder is gone")
    func keepsJobsWithAClaimFolder() async throws {
        let folder = try TemporaryDirectory(prefix: "facedrop-journal-pruner")
        let wall = Wall()
        let journal = try JobJournal(stateDirectory: folder.appending("state"), now: { wall.now })
        let files = FileWorkPool(threads: 1, name: "test-prune")
        let pruner = JournalPruner(journal: journal, files: files, keepDays: 30, wallClock: { wall.now }, logger: Logger(label: "facedrop"))
        let inbox = folder.appending("inbox")
        let claim = "\(inbox)/.facedrop/claim-left"
        try FileManager.default.createDirectory(atPath: claim, withIntermediateDirectories: true)
        try await Self.doneJob("left", in: journal, inbox: inbox)
        wall.advance(days: 31)
        #expect(await pruner.prune() == 0)
        #expect(try journal.job(claimedPath: claim) != nil)
        try FileManager.default.removeItem(atPath: claim)
        #expect(await pruner.prune() == 1)
    }
}
