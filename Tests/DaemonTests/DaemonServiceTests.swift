import CurlHTTP
import DaemonConfiguration
import Dispatch
import FacedropTestSupport
import Foundation
import Journal
import SegmindAPI
import SegmindCatalog
import SegmindEmulator
import Synchronization
import SystemdService
import Testing

@testable import Daemon

/// Holds the scheduler's actor on its thread, the way a stuck synchronous call in the job loop would.
private func block(_ scheduler: isolated JobScheduler, until release: DispatchSemaphore) {
    release.wait()
}

/// The daemon as systemd sees it, in process, against a real datagram socket.
@Suite("Daemon under Type=notify", .serialized, .inotifyExclusive)
struct DaemonServiceTests {
    /// A state folder, one inbox and its outbox, and a configuration naming them.
    struct Setup {
        let folder: TemporaryDirectory
        let configuration: DaemonConfiguration
        var inbox: String { folder.appending("inbox") }
        var outbox: String { folder.appending("outbox") }
        var state: String { folder.appending("state") }

        init() throws {
            folder = try TemporaryDirectory(prefix: "facedrop-service")
            let toml = """
                [api]
                base_url = "emulator"
                [state]
                dir = "\(folder.appending("state"))"
                [[inbox]]
                name = "in"
                path = "\(folder.appending("inbox"))"
                outbox = "\(folder.appending("outbox"))"
                model = "pulid-base"
                settle = 0.2
                """
            for name in ["inbox", "outbox", "state"] {
                try FileManager.default.createDirectory(atPath: folder.appending(name), withIntermediateDirectories: true)
            }
            configuration = try DaemonConfiguration.parse(toml: toml, catalog: ModelCatalog.bundled(), environment: [:])
        }
    }

    /// Runs a daemon with `environment` as its systemd environment until `body` returns.
    private func withDaemon(_ setup: Setup, environment: [String: String], _ body: (Daemon) async throws -> Void) async throws {
        try await withEmulator(EmulatorConfiguration(apiKeys: ["service-test-key"], timeScale: 0.01)) { _, url in
            let http = try HTTPClient()
            let daemon = try await Daemon(
                configuration: setup.configuration,
                segmind: SegmindConfiguration(baseURL: url.absoluteString, storageURL: url.absoluteString, apiKey: APIKey("service-test-key")),
                http: http,
                catalog: ModelCatalog.bundled(),
                notifier: ServiceNotifier(environment: environment)
            )
            let running = Task { await daemon.run() }
            do {
                try await body(daemon)
            } catch {
                running.cancel()
                await running.value
                throw error
            }
            running.cancel()
            await running.value
            http.shutdown()
        }
    }

    @Test("READY=1 comes only once the journal is recovered: a submit left unanswered by a crash is already in failed/")
    func readyAfterRecovery() async throws {
        let setup = try Setup()
        // The journal of a daemon that died with a POST in flight, and the job's claimed input.
        let claim = "\(setup.inbox)/.facedrop/crashed-claim"
        try FileManager.default.createDirectory(atPath: "\(claim)/input", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.url(Fixtures.faceJPEG).path, toPath: "\(claim)/input/portrait.jpg")
        let journal = try JobJournal(stateDirectory: setup.state)
        let record = try await journal.recordClaim(
            JobClaim(
                inbox: "in",
                subpath: "",
                name: "portrait",
                claimedPath: claim,
                facePath: "\(claim)/input/portrait.jpg",
                model: "pulid-base",
                droppedAt: Date(),
                readyAt: Date()
            )
        )
        _ = try await journal.markSubmitting(record.id)
        try journal.close()

        let receiver = try NotifyReceiver()
        defer { receiver.stop() }
        let failed = "\(setup.outbox)/failed/portrait/error.json"
        let seenAtReady = Mutex<Bool?>(nil)
        try await withDaemon(setup, environment: ["NOTIFY_SOCKET": receiver.path]) { _ in
            let ready = await eventually(timeout: .seconds(30)) {
                guard receiver.fields.contains("READY=1") else { return false }
                seenAtReady.withLock { $0 = $0 ?? FileManager.default.fileExists(atPath: failed) }
                return true
            }
            #expect(ready)
        }
        #expect(seenAtReady.withLock { $0 } == true, "failed/portrait/error.json was not there when READY=1 arrived")
        let ready = try #require(receiver.messages.first { $0.fields.contains("READY=1") })
        #expect(ready.fields.contains { $0.hasPrefix("STATUS=Watching 1 inbox: ") && $0.contains("1 failed") }, "\(ready)")
    }

    @Test("at start the daemon forgets the jobs that finished more than keep_journal_days (90 by default) ago, and keeps the others")
    func forgetsOldJobsAtStart() async throws {
        let setup = try Setup()
        #expect(setup.configuration.state.keepJournalDays == 90)
        let old = try JobJournal(stateDirectory: setup.state, now: { Date().addingTimeInterval(-91 * 86_400) })
        try await JournalPrunerTests.doneJob("old", in: old)
        try old.close()
        let recent = try JobJournal(stateDirectory: setup.state, now: { Date().addingTimeInterval(-89 * 86_400) })
        try await JournalPrunerTests.doneJob("recent", in: recent)
        try recent.close()

        try await withDaemon(setup, environment: [:]) { _ in
            let journal = try JobJournal(stateDirectory: setup.state)
            defer { try? journal.close() }
            #expect(await eventually(timeout: .seconds(30)) { (try? journal.jobs(named: "old"))?.isEmpty == true }, "the old job forgotten")
            #expect(try journal.jobs(named: "recent").count == 1)
        }
    }

    @Test("WATCHDOG=1 comes from the job loop: every interval while it runs, none while it hangs, again once it is free")
    func watchdogFollowsTheJobLoop() async throws {
        let setup = try Setup()
        let receiver = try NotifyReceiver()
        defer { receiver.stop() }
        // WATCHDOG_USEC of 0.2 s: a ping every 0.1 s. Short, because a hung loop holds one of the cooperative
        // pool's threads (one per core) away from every other test running beside this one.
        try await withDaemon(setup, environment: ["NOTIFY_SOCKET": receiver.path, "WATCHDOG_USEC": "200000"]) { daemon in
            func pings() -> [ContinuousClock.Instant] { receiver.messages.filter { $0.fields.contains("WATCHDOG=1") }.map(\.arrival) }
            #expect(await eventually(timeout: .seconds(30)) { pings().count >= 4 })
            #expect(receiver.messages.contains { $0.fields.contains { $0.hasPrefix("STATUS=Watching 1 inbox") } })

            // Hang the loop for 1 s (10 intervals): the pings must stop.
            let release = DispatchSemaphore(value: 0)
            let held = Task.detached { await block(daemon.scheduler, until: release) }
            try await Task.sleep(for: .milliseconds(300))
            let hungSince = ContinuousClock.now
            try await Task.sleep(for: .seconds(1))
            let duringHang = pings().filter { $0 > hungSince }
            release.signal()
            await held.value
            #expect(duringHang.isEmpty, "\(duringHang.count) pings arrived while the job loop was hung")

            let freed = ContinuousClock.now
            #expect(await eventually(timeout: .seconds(15)) { pings().filter { $0 > freed }.count >= 2 })
        }
    }
}
