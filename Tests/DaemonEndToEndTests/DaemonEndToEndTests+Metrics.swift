import FacedropTestSupport
import Foundation
import SegmindEmulator
import Testing

/// `[metrics]`: the node_exporter textfile and `GET /metrics` of a real daemon, read with the strict Prometheus
/// text checker.
extension DaemonEndToEndTests {
    @Test("metrics: jobs held for credits, one cancelled and one done, move the gauges and counters in the textfile and GET /metrics")
    func metrics() async throws {
        // No credits at first: the job's submit is refused (406) and it waits, visible in the jobs gauge.
        try await withDaemon(
            emulator: EmulatorConfiguration(credits: 0, timeScale: 0.01),
            configure: {
                let textfile = URL(fileURLWithPath: $0.stateDirectory).deletingLastPathComponent().appendingPathComponent("facedrop.prom").path
                $0.metrics = ["textfile = \(DaemonSettings.quoted(textfile))", "interval = 1", #"listen = "127.0.0.1:0""#]
                $0.recheckInterval = 0.5
            }
        ) { server, daemon in
            let textfile = daemon.folder.appending("facedrop.prom")
            let inbox = daemon.settings.inboxes[0].name
            try await daemon.waitFor("the metrics address in the log") { Self.metricsURL(in: daemon.log) != nil }
            let url = try #require(Self.metricsURL(in: daemon.log))
            #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/metrics"), "\(url)")

            try daemon.dropJob("metered", sidecar: Self.fluxSidecar)
            try await daemon.waitFor("the held job in the textfile") {
                (try? Self.readTextfile(textfile))?.value("facedrop_jobs", ["state": "waitingForCredits", "inbox": inbox]) == 1
            }
            let held = try await Self.scrape(url)
            #expect(held.value("facedrop_jobs", ["state": "waitingForCredits", "inbox": inbox]) == 1)
            #expect((held.value("facedrop_segmind_requests_total", ["endpoint": "submit", "status": "406"]) ?? 0) >= 1)
            #expect(held.value("facedrop_jobs_finished_total") == nil, "a job counted finished while it waits")

            // A second held job, taken back with facedrop cancel: counted as cancelled.
            try daemon.dropJob("withdrawn", sidecar: Self.fluxSidecar)
            // While credits are out the scheduler sends nothing new: the second job waits as claimed.
            try await daemon.waitFor("two unfinished jobs in the textfile") {
                (try? Self.readTextfile(textfile))?.value("facedrop_jobs", ["inbox": inbox]) == 2
            }
            let (cancel, answer) = try await daemon.runCommand(["cancel", "--config", daemon.configPath, "withdrawn"])
            #expect(cancel.status == 0, "\(answer)")
            try await daemon.waitFor("the job in cancelled/") { daemon.jobs(.cancelled).count == 1 }

            await server.setCredits(100)
            try await daemon.waitFor("the job done") { daemon.jobs(.done).count == 1 }
            try await daemon.waitFor("the textfile to count the finished job") {
                (try? Self.readTextfile(textfile))?.value("facedrop_jobs_finished_total", ["inbox": inbox, "outcome": "done"]) == 1
            }
            let done = try await Self.scrape(url)
            #expect(done.types["facedrop_jobs_finished_total"] == "counter")
            #expect(done.value("facedrop_jobs_finished_total", ["inbox": inbox, "model": "flux-pulid", "outcome": "done"]) == 1)
            #expect(done.value("facedrop_jobs_finished_total", ["outcome": "failed"]) == nil)
            #expect(done.value("facedrop_jobs_finished_total", ["inbox": inbox, "model": "flux-pulid", "outcome": "cancelled"]) == 1)
            #expect(done.value("facedrop_jobs", ["inbox": inbox]) == 0, "the held job's gauge did not fall back to 0")
            for endpoint in ["submit", "poll", "download", "credits"] {
                #expect((done.value("facedrop_segmind_requests_total", ["endpoint": endpoint, "status": "200"]) ?? 0) >= 1, "no \(endpoint) counted")
            }
            #expect(done.value("facedrop_segmind_rate_limited_total") == nil)
            #expect(done.types["facedrop_poll_lag_seconds"] == "histogram")
            #expect(done.value("facedrop_poll_lag_seconds_count") == 1)
            let remaining = try #require(done.value("facedrop_credits_remaining_usd"))
            #expect(remaining > 99 && remaining < 100, "\(remaining)")
            #expect((done.value("facedrop_spend_usd", ["inbox": inbox, "period": "day"]) ?? 0) > 0)
            #expect((done.value("facedrop_spend_usd", ["inbox": inbox, "period": "month"]) ?? 0) > 0)
            let (missing, _) = try await Self.curl(url.replacingOccurrences(of: "/metrics", with: "/other"))
            #expect(missing == 404)

            // The stop writes the file one last time.
            try FileManager.default.removeItem(atPath: textfile)
            _ = await daemon.stop()
            let last = try Self.readTextfile(textfile)
            #expect(last.value("facedrop_jobs_finished_total", ["inbox": inbox, "outcome": "done"]) == 1)
        }
    }

    @Test("metrics: an idle daemon with a textfile wakes once per interval, on its timer, and for nothing else")
    func idleWithTextfile() async throws {
        try await withDaemon(configure: {
            let textfile = URL(fileURLWithPath: $0.stateDirectory).deletingLastPathComponent().appendingPathComponent("facedrop.prom").path
            $0.metrics = ["textfile = \(DaemonSettings.quoted(textfile))", "interval = 2"]
            for index in $0.inboxes.indices { $0.inboxes[index].rescanInterval = 3600 }
        }) { _, daemon in
            let textfile = daemon.folder.appending("facedrop.prom")
            try await daemon.waitFor("the first textfile") { (try? Self.readTextfile(textfile)) != nil }
            try await Task.sleep(for: .seconds(1))
            let woke = try await Self.wakeups(of: daemon, over: .seconds(6))
            // Three writes in 6 s, each the timer thread's wake-up handing the write to a task thread.
            let timer = woke.threads.filter { $0.key.hasPrefix("facedrop-timers") }.values.reduce(0, +)
            #expect((2...4).contains(timer), "the timer woke \(timer) times for three intervals: \(woke.threads)")
            let others = woke.threads.filter { !$0.key.hasPrefix("facedrop-timers") && !$0.key.hasPrefix("facedrop-tasks") }
            #expect(others.isEmpty, "threads other than the timer and the task threads woke: \(woke.threads)")
            #expect(woke.total <= 8 * 3, "woken \(woke.total) times for three writes: \(woke.threads)")
        }
    }

    @Test("metrics: every 429 Segmind answers is counted, by endpoint and in the requests by status")
    func metricsCountRateLimits() async throws {
        // Segmind allows 2 requests a minute here, facedrop assumes 600: its third request meets a 429.
        var emulator = EmulatorConfiguration(timeScale: 0.01)
        emulator.requestsPerMinute = 2
        try await withDaemon(emulator: emulator, configure: { $0.metrics = [#"listen = "127.0.0.1:0""#] }) { server, daemon in
            try await daemon.waitFor("the metrics address in the log") { Self.metricsURL(in: daemon.log) != nil }
            let url = try #require(Self.metricsURL(in: daemon.log))
            try daemon.dropJob("limited", sidecar: Self.fluxSidecar)
            try await daemon.waitFor("a 429 from the emulator") { await server.ledger().entries.contains { $0.status == 429 } }
            var counted: PrometheusText?
            try await daemon.waitFor("the 429s counted") {
                let refused = await server.ledger().entries.filter { $0.status == 429 }.count
                counted = try await Self.scrape(url)
                return counted?.value("facedrop_segmind_rate_limited_total") == Double(refused)
            }
            let text = try #require(counted)
            #expect(text.types["facedrop_segmind_rate_limited_total"] == "counter")
            #expect(text.value("facedrop_segmind_requests_total", ["status": "429"]) == text.value("facedrop_segmind_rate_limited_total"))
        }
    }

    @Test("metrics: an address that cannot be bound stops the daemon at once with exit 69 and the reason")
    func metricsAddressTaken() async throws {
        try await withEmulator(EmulatorConfiguration(timeScale: 0.01)) { _, url in
            // The emulator's own port is taken.
            let port = try #require(url.port)
            let daemon = try DaemonHarness(baseURL: url, configure: { $0.metrics = ["listen = \"127.0.0.1:\(port)\""] })
            try daemon.launchDaemon()
            let termination = try #require(await daemon.waitForExit(within: .seconds(20)), "the daemon kept running: \(daemon.logTail(20))")
            #expect(termination.status == 69, "\(termination): \(daemon.logTail(20))")
            #expect(termination.elapsed < .seconds(10), "\(termination)")
            #expect(daemon.log.contains("the metrics endpoint could not listen"), "\(daemon.logTail(20))")
            #expect(daemon.log.contains("Address already in use"), "\(daemon.logTail(20))")
        }
    }

    /// The endpoint's URL as the daemon logged it (`url=http://127.0.0.1:PORT/metrics`).
    static func metricsURL(in log: String) -> String? {
        guard let range = log.range(of: #"url=http://127\.0\.0\.1:[0-9]+/metrics"#, options: .regularExpression) else { return nil }
        return String(log[range].dropFirst("url=".count))
    }

    static func readTextfile(_ path: String) throws -> PrometheusText {
        try PrometheusText(String(contentsOfFile: path, encoding: .utf8))
    }

    /// `GET url` with curl, bounded in time: the status and the body.
    static func curl(_ url: String) async throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["--silent", "--max-time", "10", "--write-out", "\n%{http_code}", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        let statusLine = text.split(separator: "\n").last.map(String.init) ?? ""
        text.removeLast(min(text.count, statusLine.count + 1))
        return (Int(statusLine) ?? 0, text)
    }

    static func scrape(_ url: String) async throws -> PrometheusText {
        let (status, body) = try await curl(url)
        #expect(status == 200)
        return try PrometheusText(body)
    }
}
