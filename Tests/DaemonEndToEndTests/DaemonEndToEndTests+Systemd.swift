import FacedropTestSupport
import Foundation
import SegmindEmulator
import Testing

/// The binary under `Type=notify`, as systemd runs it: a notification socket, a watchdog and journald.
extension DaemonEndToEndTests {
    @Test("under systemd: READY, STATUS and a WATCHDOG ping within every 2 s, RELOADING then READY on SIGHUP, STOPPING on SIGTERM, <N> priorities for journald")
    func typeNotify() async throws {
        let receiver = try NotifyReceiver()
        defer { receiver.stop() }
        try await withDaemon(startDaemon: false) { _, daemon in
            // journald hands the service a stderr whose device and inode it names in JOURNAL_STREAM.
            let log = try FileManager.default.attributesOfItem(atPath: daemon.logPath)
            let stream = "\((log[.systemNumber] as? NSNumber)?.uint64Value ?? 0):\((log[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0)"
            daemon.environment = ["NOTIFY_SOCKET": receiver.path, "WATCHDOG_USEC": "2000000", "JOURNAL_STREAM": stream]
            try await daemon.start()
            try await daemon.waitFor("READY=1") { receiver.fields.contains("READY=1") }

            let job = try daemon.dropJob("under-systemd", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try daemon.expectDone(job, model: "instantid")
            try await daemon.waitFor("a STATUS line counting the job") {
                receiver.fields.contains { $0.hasPrefix("STATUS=Watching 1 inbox: ") && $0.contains("1 done") }
            }

            // WATCHDOG_USEC=2 s: systemd would kill the service after 2 s without a ping; facedrop pings every 1 s.
            let windowStart = ContinuousClock.now
            try await Task.sleep(for: .seconds(6))
            let pings = receiver.messages.filter { $0.fields.contains("WATCHDOG=1") && $0.arrival >= windowStart }.map(\.arrival)
            #expect(pings.count >= 5, "\(pings.count) pings in 6 s")
            let gaps = zip(pings.dropFirst(), pings).map { $0 - $1 }
            #expect(gaps.allSatisfy { $0 < .seconds(2) }, "longest gap \(gaps.max() ?? .zero)")

            let beforeReload = receiver.messages.count
            daemon.hangUp()
            try await daemon.waitFor("RELOADING=1 then READY=1") {
                let fields = receiver.messages.dropFirst(beforeReload).flatMap(\.fields)
                guard let reloading = fields.firstIndex(of: "RELOADING=1") else { return false }
                return fields[reloading...].contains("READY=1")
            }
            #expect(daemon.isRunning)

            let ended = try #require(await daemon.stop())
            #expect(!ended.signalled && ended.status == 0, "\(ended)")
            #expect(receiver.fields.contains("STOPPING=1"))
            #expect(receiver.fields.firstIndex(of: "STOPPING=1")! > receiver.fields.lastIndex(of: "READY=1")!)

            // Every line the daemon wrote carries a syslog priority; the start-up notice is <5>.
            let lines = daemon.log.split(separator: "\n").filter { !$0.hasPrefix("====") }
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { $0.range(of: #"^<[0-7]>"#, options: .regularExpression) != nil }, "\(lines.prefix(5))")
            #expect(lines.contains { $0.hasPrefix("<5>facedrop is running") })
        }
    }

    @Test("outside systemd nothing is sent and log lines are plain, with a timestamp")
    func withoutSystemd() async throws {
        try await withDaemon { _, daemon in
            let job = try daemon.dropJob("plain", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try daemon.expectDone(job, model: "instantid")
            let lines = daemon.log.split(separator: "\n").filter { !$0.hasPrefix("====") }
            #expect(lines.contains { $0.contains(" notice facedrop is running") })
            #expect(!lines.contains { $0.hasPrefix("<") })
        }
    }
}
