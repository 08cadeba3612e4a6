import FacedropTestSupport
import Foundation
import Testing

/// A daemon with nothing to do sleeps: it waits on inotify and its deadlines, never on a busy loop.
extension DaemonEndToEndTests {
    @Test("an idle daemon uses almost no CPU")
    func idleDaemonSleeps() async throws {
        try await withDaemon { _, daemon in
            try await Task.sleep(for: .seconds(1))
            let before = try #require(daemon.cpuTime())
            try await Task.sleep(for: .seconds(3))
            let after = try #require(daemon.cpuTime())
            #expect(after - before < .milliseconds(300), "an idle daemon used \(after - before) of CPU in 3 s")

            // And again after some work: finished jobs leave nothing spinning.
            try daemon.dropJob("one", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try await Task.sleep(for: .seconds(1))
            let rested = try #require(daemon.cpuTime())
            try await Task.sleep(for: .seconds(3))
            let later = try #require(daemon.cpuTime())
            #expect(later - rested < .milliseconds(300), "a daemon idle after a job used \(later - rested) of CPU in 3 s")
        }
    }

    @Test("an idle daemon does not wake at all, before and after a job")
    func idleDaemonDoesNotWake() async throws {
        // The only deadlines of an idle daemon here are its inbox's safety rescan, an hour away, and the outbox's
        // next retention pass, a day away.
        try await withDaemon(configure: { settings in
            for index in settings.inboxes.indices {
                settings.inboxes[index].rescanInterval = 3600
                settings.inboxes[index].retention = ["keep_done = 30", "keep_failed = { days = 90, count = 1000 }", "keep_logs = 14"]
            }
        }) { _, daemon in
            try await Task.sleep(for: .seconds(1))
            let started = try await Self.wakeups(of: daemon, over: .seconds(3))
            #expect(started.total <= 1, "woken while idle after start: \(started.threads)")

            try daemon.dropJob("one", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try await Task.sleep(for: .seconds(1))
            let rested = try await Self.wakeups(of: daemon, over: .seconds(3))
            #expect(rested.total <= 1, "woken while idle after a job: \(rested.threads)")
        }
    }

    @Test("an idle daemon hands back the pages of its code once per quiet spell, stays asleep, and runs the next job")
    func idleDaemonReleasesMemory() async throws {
        let released = "idle: releasing the memory the daemon does not use"
        try await withDaemon(configure: { settings in
            settings.memory = ["release_when_idle_after = 3"]
            for index in settings.inboxes.indices { settings.inboxes[index].rescanInterval = 3600 }
        }) { _, daemon in
            try daemon.dropJob("one", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the first job") { !daemon.jobs(.done).isEmpty }
            let busy = try #require(daemon.residentFileKiB())
            try await daemon.waitFor("the release after the first job", timeout: .seconds(20)) { daemon.log.contains(released) }
            try await daemon.waitFor("resident file pages below the \(busy) KiB after the job", timeout: .seconds(5)) {
                (daemon.residentFileKiB() ?? busy) < busy
            }

            // Released once: the daemon does not wake again for it.
            try await Task.sleep(for: .seconds(1))
            let rested = try await Self.wakeups(of: daemon, over: .seconds(4))
            #expect(rested.total <= 1, "woken while idle after the release: \(rested.threads)")
            #expect(daemon.log.components(separatedBy: released).count - 1 == 1)

            // The next job reads back what it needs, and the next quiet spell releases again.
            try daemon.dropJob("two", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the second job") { daemon.jobs(.done).count == 2 }
            try await daemon.waitFor("the release after the second job", timeout: .seconds(20)) {
                daemon.log.components(separatedBy: released).count - 1 == 2
            }
            #expect(daemon.jobs(.failed).isEmpty)
        }
    }

    /// How often the daemon's threads woke in `period` (those alive at its start and end): libdispatch's pool
    /// monitor alone would wake it once a second.
    static func wakeups(of daemon: DaemonHarness, over period: Duration) async throws -> (total: Int, threads: [String: Int]) {
        let before = daemon.voluntarySwitches()
        try #require(!before.isEmpty)
        try await Task.sleep(for: period)
        let after = daemon.voluntarySwitches()
        // Under ThreadSanitizer (.ci/tsan sets TSAN_OPTIONS for the daemons it starts) the sanitizer's runtime
        // adds a background thread of its own, named after the process, that wakes ten times a second; facedrop's
        // own threads are named facedrop-…, and the main thread has the process's ID.
        let sanitized = ProcessInfo.processInfo.environment["TSAN_OPTIONS"] != nil
        let mainThread = daemon.processID.map(Int.init)
        var threads: [String: Int] = [:]
        for (id, thread) in before where !(sanitized && thread.name == "facedrop" && id != mainThread) {
            let woke = max(0, (after[id]?.switches ?? thread.switches) - thread.switches)
            if woke > 0 { threads["\(thread.name) (\(id))"] = woke }
        }
        return (threads.values.reduce(0, +), threads)
    }
}
