import Clocks
import DaemonConfiguration
import DedicatedThreads
import FacedropTestSupport
import Foundation
import HotFolder
import InboxWatcher
import Journal
import Logging
import Outbox
import Synchronization
import Testing

@testable import Daemon

/// The retry intake on its own: of the hosts sharing an outbox, one takes each job folder; a folder that cannot be
/// taken goes back under its name; and the periodic scan (on a test clock) finds what inotify did not report as
/// soon as the inboxes' own rescan would.
@Suite("The retry intake")
struct RetryIntakeTests {
    /// An outbox and an inbox shared by the hosts of a test, each host with its own journal and intake.
    struct Share {
        let folder: TemporaryDirectory
        var outbox: String { folder.appending("outbox") }
        var inbox: String { folder.appending("inbox") }

        init() throws {
            folder = try TemporaryDirectory(prefix: "facedrop-retry-share")
            try OutboxFolders(root: outbox).prepare()
            try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        }

        /// A host's intake, configured with the inbox (and `others`), and its journal. With `held`, the host's one
        /// file thread first waits for the semaphore.
        func host(
            _ owner: String,
            held: DispatchSemaphore? = nil,
            clock: some Clock<Duration> = TimerClock(),
            others: [InboxConfiguration] = []
        ) async throws -> (intake: RetryIntake, journal: JobJournal) {
            let journal = try JobJournal(stateDirectory: folder.appending("state-\(owner)"))
            let files = FileWorkPool(threads: 1, name: "test-retry")
            if let held {
                let waiting = Atomic(false)
                Task {
                    await files.run {
                        waiting.store(true, ordering: .sequentiallyConsistent)
                        held.wait()
                    }
                }
                #expect(await eventually { waiting.load(ordering: .sequentiallyConsistent) })
            }
            let intake = RetryIntake(journal: journal, files: files, owner: owner, logger: Logger(label: "test"), clock: clock)
            _ = await intake.configure([InboxConfiguration(name: "team", path: inbox, outbox: outbox)] + others)
            return (intake, journal)
        }

        /// A failed job's folder, as `failed/` holds it, at `path` (below the outbox).
        func failedJob(_ job: String, at path: String) throws {
            let folder = "\(outbox)/\(path)"
            try FileManager.default.createDirectory(atPath: "\(folder)/input", withIntermediateDirectories: true)
            let record = #"{"inbox":"team","job":"\#(job)","claim_id":"claim-\#(job)","code":"invalid_sidecar"}"#
            try Data(record.utf8).write(to: URL(fileURLWithPath: "\(folder)/error.json"))
            try Data("face \(job)".utf8).write(to: URL(fileURLWithPath: "\(folder)/input/\(job).jpg"))
            try Data(#"{"prompt":"\#(job)"}"#.utf8).write(to: URL(fileURLWithPath: "\(folder)/input/\(job).json"))
        }

        func names(_ path: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
        }
    }

    @Test("two hosts reaching one job folder at once: it is queued again by exactly one of them")
    func oneHostTakesTheFolder() async throws {
        let share = try Share()
        try share.failedJob("lisa", at: "retry/lisa")
        // Each host's file thread is held, so a host that has read and journaled the folder waits before putting its
        // files back and removing it: the other host's scan finds it still there.
        let gate = DispatchSemaphore(value: 0)
        let first = try await share.host("host-a", held: gate)
        let second = try await share.host("host-b", held: gate)
        let runs = [Task { await first.intake.run() }, Task { await second.intake.run() }]
        defer { for run in runs { run.cancel() } }
        let takers = { [first.journal, second.journal].filter { (try? $0.wasRetried(claimID: "claim-lisa")) == true }.count }
        #expect(await eventually { takers() >= 1 })
        try await Task.sleep(for: .milliseconds(300))
        gate.signal()
        gate.signal()

        #expect(await eventually { share.names(share.inbox) == ["lisa.jpg", "lisa.json"] })
        #expect(await eventually { share.names("\(share.outbox)/retry").allSatisfy { share.names("\(share.outbox)/retry/\($0)").isEmpty } })
        #expect(takers() == 1, "queued again by \(takers()) hosts")
        #expect(share.names("\(share.outbox)/warnings").isEmpty)
    }

    @Test("a folder a host had set aside when it stopped is left to it by the others, and taken at its next start")
    func setAsideFolderIsResumed() async throws {
        let share = try Share()
        try share.failedJob("held", at: "retry/.taking-\(JobClaimer.adopterTag("host-a"))/held")
        let other = try await share.host("host-b")
        let otherRun = Task { await other.intake.run() }
        defer { otherRun.cancel() }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try !other.journal.wasRetried(claimID: "claim-held"))
        #expect(share.names(share.inbox).isEmpty)

        let restarted = try await share.host("host-a")
        let run = Task { await restarted.intake.run() }
        defer { run.cancel() }
        #expect(await eventually { share.names(share.inbox) == ["held.jpg", "held.json"] })
        #expect(try restarted.journal.wasRetried(claimID: "claim-held"))
        #expect(await eventually { share.names("\(share.outbox)/retry/.taking-\(JobClaimer.adopterTag("host-a"))").isEmpty })
    }

    @Test("a held folder that cannot be taken goes back into retry/ under its own name, with the warning")
    func unreadableFolderIsGivenBack() async throws {
        let share = try Share()
        try FileManager.default.createDirectory(atPath: "\(share.outbox)/retry/no-record", withIntermediateDirectories: true)
        let host = try await share.host("host-a")
        let run = Task { await host.intake.run() }
        defer { run.cancel() }
        #expect(await eventually { share.names("\(share.outbox)/warnings").contains { $0.hasSuffix("-retry-refused.json") } })
        #expect(share.names("\(share.outbox)/retry").filter { !$0.hasPrefix(".") } == ["no-record"])
        let warning = try String(contentsOfFile: "\(share.outbox)/warnings/\(share.names("\(share.outbox)/warnings")[0])", encoding: .utf8)
        #expect(warning.contains("\(share.outbox)/retry/no-record\""), "\(warning)")
    }

    @Test(
        "an entry no event reported is found at the inboxes' shortest rescan_interval, and not before",
        arguments: [(network: true, interval: 30), (network: false, interval: 300)]
    )
    func rescanFollowsTheInboxes(network: Bool, interval: Int) async throws {
        let share = try Share()
        let outbox = share.outbox
        let clock = TestClock()
        // The share's own inbox is a local one (300 s).
        let other = InboxConfiguration(name: "other", path: share.folder.appending("other"), outbox: outbox, networkFilesystem: network)
        let intake = try await share.host("host-a", clock: clock, others: [other]).intake
        let running = Task { await intake.run() }
        defer { running.cancel() }
        #expect(await clock.waitForSleeper(), "the scan at start, then a wait for the next")

        // A file, not a job folder: the intake answers it with a warning, which shows when the scan found it.
        try Data("stray".utf8).write(to: URL(fileURLWithPath: "\(outbox)/retry/stray.txt"))
        let warned = { share.names("\(outbox)/warnings").contains { $0.hasSuffix("-retry-refused.json") } }
        await clock.advance(by: .seconds(interval - 1))
        try await Task.sleep(for: .milliseconds(100))
        #expect(!warned(), "no scan before the interval")
        #expect(await clock.advance(by: .seconds(1)) { warned() }, "the scan at \(interval) s")
    }

    @Test("a job folder renamed to retry/ itself (no retry folder was there) is reported and left as it is")
    func jobFolderMovedAsRetry() async throws {
        let share = try Share()
        try FileManager.default.removeItem(atPath: "\(share.outbox)/retry")
        try share.failedJob("lisa", at: "retry")
        let host = try await share.host("host-a")
        let run = Task { await host.intake.run() }
        defer { run.cancel() }
        // An event inside it, as the watcher would send, must not have its parts taken either.
        await host.intake.handle(.folderAdded(path: "\(share.outbox)/retry/input"))
        #expect(await eventually { share.names("\(share.outbox)/warnings").contains { $0.hasSuffix("-retry-refused.json") } })
        let warning = try String(contentsOfFile: "\(share.outbox)/warnings/\(share.names("\(share.outbox)/warnings")[0])", encoding: .utf8)
        #expect(warning.contains("moved as retry/ itself"), "\(warning)")
        try await Task.sleep(for: .milliseconds(1_300))
        #expect(share.names("\(share.outbox)/retry") == ["error.json", "input"])
        #expect(share.names("\(share.outbox)/retry/input") == ["lisa.jpg", "lisa.json"])
        #expect(share.names("\(share.outbox)/warnings").count == 1)
        #expect(share.names(share.inbox).isEmpty)
    }
}
