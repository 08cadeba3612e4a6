import Clocks
import DaemonConfiguration
import FacedropTestSupport
import Foundation
import Journal
import Logging
import Outbox
import Testing

@testable import Daemon

/// The retry folders' periodic scan on a test clock: it finds what inotify did not report (a folder moved into
/// `retry/` from another host of a network share) as soon as the inboxes' own rescan would.
@Suite("The retry intake")
struct RetryIntakeTests {
    @Test(
        "an entry no event reported is found at the inboxes' shortest rescan_interval, and not before",
        arguments: [(network: true, interval: 30), (network: false, interval: 300)]
    )
    func rescanFollowsTheInboxes(network: Bool, interval: Int) async throws {
        let folder = try TemporaryDirectory(prefix: "facedrop-retry-intake")
        let outbox = folder.appending("outbox")
        try OutboxFolders(root: outbox).prepare()
        let journal = try JobJournal(stateDirectory: folder.appending("state"))
        let clock = TestClock()
        let intake = RetryIntake(
            journal: journal,
            files: FileWorkPool(threads: 1, name: "test-retry"),
            logger: Logger(label: "test"),
            clock: clock
        )
        let local = InboxConfiguration(name: "local", path: folder.appending("local"), outbox: outbox)
        let other = InboxConfiguration(name: "other", path: folder.appending("other"), outbox: outbox, networkFilesystem: network)
        _ = await intake.configure([local, other])
        let running = Task { await intake.run() }
        defer { running.cancel() }
        #expect(await clock.waitForSleeper(), "the scan at start, then a wait for the next")

        // A file, not a job folder: the intake answers it with a warning, which shows when the scan found it.
        try Data("stray".utf8).write(to: URL(fileURLWithPath: "\(outbox)/retry/stray.txt"))
        let warnings = "\(outbox)/warnings"
        let warned = { ((try? FileManager.default.contentsOfDirectory(atPath: warnings)) ?? []).contains { $0.hasSuffix("-retry-refused.json") } }
        await clock.advance(by: .seconds(interval - 1))
        try await Task.sleep(for: .milliseconds(100))
        #expect(!warned(), "no scan before the interval")
        #expect(await clock.advance(by: .seconds(1)) { warned() }, "the scan at \(interval) s")
    }
}
