import Clocks
import FacedropTestSupport
import Foundation
import InMemoryLogging
import Journal
import Logging
import Outbox
import Synchronization
import Testing

@testable import Daemon

/// The pruner's timing on a test clock: a pass at start, the next a day later and not before, one at once when
/// the configuration changes, no timer at all without retention; and a job the journal is not finished with
/// keeps its folder.
@Suite("The outbox pruner")
struct OutboxPrunerTests {
    /// An outbox, a journal, a test clock for the waits and a wall clock moved by hand for the ages.
    struct Setting {
        let folder: TemporaryDirectory
        let journal: JobJournal
        let clock = TestClock()
        let wall = Wall(Date(timeIntervalSince1970: 1_790_000_000))
        let logs = InMemoryLogHandler()
        let pruner: OutboxPruner
        let files = FileWorkPool(threads: 2, name: "test-prune")
        var outbox: String { folder.appending("outbox") }

        init() throws {
            folder = try TemporaryDirectory(prefix: "facedrop-pruner")
            journal = try JobJournal(stateDirectory: folder.appending("state"))
            let logs = self.logs
            var logger = Logger(label: "facedrop") { _ in logs }
            logger.logLevel = .info
            let wall = self.wall
            pruner = OutboxPruner(journal: journal, files: files, clock: clock, wallClock: { wall.now }, logger: logger)
            try OutboxFolders(root: outbox).prepare()
        }

        /// `done/<name>/result.json`, finished `days` before the wall clock's now.
        func job(_ name: String, days: Double, claimID: String = UUID().uuidString) throws {
            let path = "\(outbox)/done/\(name)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data(#"{"claim_id":"\#(claimID)"}"#.utf8).write(to: URL(fileURLWithPath: "\(path)/result.json"))
            let date = wall.now.addingTimeInterval(-days * 86_400)
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: "\(path)/result.json")
        }

        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(outbox)/done/\(name)") }
    }

    /// The wall clock, shared with the pruner.
    final class Wall: Sendable {
        private let date: Mutex<Date>
        init(_ date: Date) { self.date = Mutex(date) }
        var now: Date { date.withLock { $0 } }
        func advance(days: Double) { date.withLock { $0 = $0.addingTimeInterval(days * 86_400) } }
    }

    @Test("a pass at start, the next a day later and not before, and one at once after a reload")
    func daily() async throws {
        let setting = try Setting()
        let pruner = setting.pruner
        try setting.job("old", days: 31)
        try setting.job("turns-old-tomorrow", days: 29.5)
        let retention = [setting.outbox: OutboxRetention(done: .init(days: 30))]
        let running = Task { await pruner.run { retention } }
        defer { running.cancel() }

        #expect(await eventually { !setting.exists("old") }, "the pass at start")
        #expect(await setting.clock.waitForSleeper(), "one timer for the next pass")
        #expect(setting.exists("turns-old-tomorrow"))
        #expect(setting.logs.entries.contains { $0.message.description == "pruned" && "\($0.metadata["path"] ?? "")" == "done/old" })

        setting.wall.advance(days: 1)
        await setting.clock.advance(by: .seconds(86_400) - .seconds(1))
        try await Task.sleep(for: .milliseconds(100))
        #expect(setting.exists("turns-old-tomorrow"), "no pass before the day is over")
        #expect(await setting.clock.advance(by: .seconds(1)) { !setting.exists("turns-old-tomorrow") }, "the daily pass")

        #expect(await setting.clock.waitForSleeper())
        try setting.job("old-after-reload", days: 400)
        pruner.configurationChanged()
        #expect(await eventually { !setting.exists("old-after-reload") }, "a reload prunes at once")
        setting.files.shutdown()
    }

    @Test("without retention no timer is set, and nothing is removed")
    func noRetentionNoTimer() async throws {
        let setting = try Setting()
        try setting.job("ancient", days: 4000)
        let running = Task { await setting.pruner.run { [setting.outbox: OutboxRetention()] } }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!(await setting.clock.hasSleepers), "an idle daemon must not wake for retention it does not have")
        #expect(setting.exists("ancient"))
        setting.files.shutdown()
    }

    @Test("a job delivered but not yet done keeps its folder; once done it goes")
    func unfinishedJobKept() async throws {
        let setting = try Setting()
        let claim = JobClaim(
            inbox: "/srv/inbox",
            subpath: "",
            name: "kept",
            claimedPath: "/srv/inbox/.facedrop/claim-kept",
            facePath: "/srv/inbox/.facedrop/claim-kept/kept.jpg",
            droppedAt: Date(timeIntervalSince1970: 1_700_000_000),
            readyAt: Date(timeIntervalSince1970: 1_700_000_000)
        )
        var job = try await setting.journal.recordClaim(claim)
        job = try await setting.journal.markSubmitting(job.id)
        job = try await setting.journal.recordSubmitted(job.id, requestID: "r", statusURL: "https://x/s", responseURL: "https://x/r")
        job = try await setting.journal.recordSpooled(job.id, spoolPath: "/s", outputs: "[]")
        job = try await setting.journal.markDelivered(job.id, resultFolder: "\(setting.outbox)/done/kept")
        try setting.job("kept", days: 100, claimID: "claim-kept")
        try setting.job("by-claim", days: 100, claimID: "claim-kept")
        try setting.job("finished", days: 100)

        let retention = OutboxRetention(done: .init(days: 30))
        let first = await setting.pruner.prune(OutboxFolders(root: setting.outbox), retention: retention)
        #expect(first.removed.map(\.path) == ["done/finished"])
        #expect(Set(first.spared.map(\.path)) == ["done/kept", "done/by-claim"])
        #expect(setting.exists("kept") && setting.exists("by-claim"))

        try await setting.journal.markDone(job.id)
        let second = await setting.pruner.prune(OutboxFolders(root: setting.outbox), retention: retention)
        #expect(Set(second.removed.map(\.path)) == ["done/kept", "done/by-claim"])
        setting.files.shutdown()
    }
}
