import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import Testing

/// Signals and the instance lock: SIGTERM drains quickly, SIGHUP reloads, a second daemon is refused.
extension DaemonEndToEndTests {
    @Test("SIGTERM with jobs in flight exits 0 within 5 s; the restart completes them without a second submit")
    func sigtermWithJobsInFlight() async throws {
        let emulator = EmulatorConfiguration(timeScale: 0.2)
        try await withDaemon(emulator: emulator, configure: { $0.runTimeScale = 0.2 }) { server, daemon in
            var ended: DaemonHarness.Termination?
            try await interruptAndRecover(daemon, server, prefix: "draining", count: 4, stop: { ended = await $0.stop() }) {
                try await daemon.jobCounts()["submitted"] == 4
            }
            let termination = try #require(ended)
            #expect(!termination.signalled && termination.status == 0, "\(termination)")
            #expect(termination.elapsed < .seconds(5), "\(termination)")
        }
    }

    @Test("SIGHUP with an invalid configuration keeps the daemon running; with a valid one it applies it")
    func sighupReload() async throws {
        try await withDaemon { server, daemon in
            let valid = daemon.settings
            try DaemonHarness.writeAtomically(Array("[api\nbase_url = 12\n".utf8), to: daemon.configPath)
            daemon.hangUp()
            try await daemon.waitFor("the reload to be refused") { daemon.log.contains("the new configuration is invalid") }
            try await Task.sleep(for: .milliseconds(500))
            #expect(daemon.isRunning)
            let first = try daemon.dropJob("after-bad-reload", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try daemon.expectDone(first, model: "instantid")

            daemon.settings = valid
            daemon.settings.inboxes.append(
                InboxSettings(
                    name: "second",
                    path: daemon.folder.appending("second-inbox"),
                    outbox: daemon.folder.appending("second-outbox")
                )
            )
            try daemon.writeConfiguration()
            daemon.hangUp()
            try await daemon.waitFor("the reload") { daemon.occurrences(of: "configuration reloaded") >= 1 }
            try await daemon.waitFor("the new inbox to exist") { FileManager.default.fileExists(atPath: daemon.settings.inboxes[1].path) }
            let second = try daemon.dropJob("in-second", sidecar: Self.instantSidecar, inbox: 1)
            try await daemon.waitFor("the job in the new inbox to end") {
                !daemon.jobs(.done, outbox: 1).isEmpty || !daemon.jobs(.failed, outbox: 1).isEmpty
            }
            #expect(daemon.jobs(.failed, outbox: 1).isEmpty)
            try daemon.expectDone(second, model: "instantid", outbox: 1)
            #expect(daemon.isRunning)
            #expect(await server.ledger().submits == 2)
        }
    }

    @Test("a second daemon on the same state folder exits non-zero naming the lock")
    func secondInstanceRefused() async throws {
        try await withDaemon { _, daemon in
            let (ended, output) = try await daemon.runCommand(["run", "--config", daemon.configPath], timeout: .seconds(20))
            #expect(!ended.signalled && ended.status != 0, "\(ended): \(output)")
            #expect(output.contains("\(daemon.state)/lock"), "\(output)")
            #expect(daemon.isRunning, "the first daemon stopped")
            let job = try daemon.dropJob("still-served", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the first daemon to go on working") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try daemon.expectDone(job, model: "instantid")
        }
    }
}
