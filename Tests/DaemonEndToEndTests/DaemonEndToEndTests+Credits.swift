import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// The account's balance and request budget: low-credit warnings, waiting out exhaustion, honouring 429.
extension DaemonEndToEndTests {
    @Test("credits: one low warning per crossing, then exhaustion holds jobs (not failed) until credits return")
    func credits() async throws {
        // flux-pulid costs 0.036: the third job takes the balance from 2.028 to 1.992, below warn_below = 2.
        let emulator = EmulatorConfiguration(credits: 2.1, timeScale: 0.01)
        try await withDaemon(
            emulator: emulator,
            configure: {
                $0.warnBelow = 2.0
                $0.recheckInterval = 0.5
            }
        ) { server, daemon in
            // At start the file says "unknown" until the free balance endpoint answers, then "ok".
            let known = await eventually(timeout: .seconds(10)) { daemon.creditsFile()?["state"]?.stringValue == "ok" }
            #expect(known, "credits.json did not say ok before any job: \(daemon.creditsFile() ?? .null)")

            var stems: [String] = []
            func run(_ count: Int, prefix: String) async throws {
                for index in 1...count {
                    try daemon.dropJob("\(prefix)-\(index)", sidecar: Self.fluxSidecar)
                    stems.append("\(prefix)-\(index)")
                }
                let expected = stems.count
                try await daemon.waitFor("\(expected) jobs done") { daemon.jobs(.done).count + daemon.jobs(.failed).count >= expected }
            }
            try await run(3, prefix: "crossing")
            try await daemon.waitFor("credits.json to say low") { daemon.creditsFile()?["state"]?.stringValue == "low" }
            #expect(daemon.warnings(endingWith: "-credits-low.json").count == 1)
            try await run(3, prefix: "below")
            // credits.json is rewritten at most once a second for a new balance alone: wait for the last one.
            let settled = await eventually(timeout: .seconds(5)) {
                abs((daemon.creditsFile()?["remaining"]?.doubleValue ?? 0) - (2.1 - 6 * 0.036)) < 0.0005
            }
            #expect(settled, "credits.json never showed the balance after six jobs")
            #expect(daemon.warnings(endingWith: "-credits-low.json").count == 1, "\(daemon.warnings(endingWith: ".json"))")
            let low = daemon.creditsFile()
            #expect(low?["state"]?.stringValue == "low")
            #expect(low?["warn_below"]?.doubleValue == 2.0)
            #expect(abs((low?["remaining"]?.doubleValue ?? 0) - (2.1 - 6 * 0.036)) < 0.0005, "\(low ?? .null)")
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)

            // Exhausted: the next jobs wait, unfailed, and go on by themselves once credits are back.
            await server.setCredits(0, free: 0)
            try daemon.dropJob("held-1", sidecar: Self.fluxSidecar)
            try daemon.dropJob("held-2", sidecar: Self.fluxSidecar)
            try await daemon.waitFor("credits.json to say exhausted") { daemon.creditsFile()?["state"]?.stringValue == "exhausted" }
            try await daemon.waitFor("an exhausted warning") { !daemon.warnings(endingWith: "-credits-exhausted.json").isEmpty }
            try await Task.sleep(for: .seconds(2))
            #expect(daemon.jobs(.done).count == 6)
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            let counts = try await daemon.jobCounts()
            #expect(counts["done"] == 6)
            #expect((counts["claimed"] ?? 0) + (counts["waitingForCredits"] ?? 0) == 2, "\(counts)")
            #expect(daemon.warnings(endingWith: "-credits-exhausted.json").count == 1)

            await server.setCredits(100)
            try await daemon.waitFor("the held jobs to complete") { daemon.jobs(.done).count + daemon.jobs(.failed).count >= 8 }
            try await Task.sleep(for: .milliseconds(500))
            daemon.expectEachEndedOnce(stems + ["held-1", "held-2"])
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            try await daemon.waitFor("credits.json to say ok again") { daemon.creditsFile()?["state"]?.stringValue == "ok" }
            let ledger = await server.ledger()
            #expect(ledger.billedSubmits == 8)
            #expect(daemon.warnings(endingWith: "-credits-low.json").count == 1)
            await daemon.expectClean()
        }
    }

    @Test("a 429 storm: the daemon keeps to requests_per_minute in every 60 s window, honours 429 and finishes every job")
    func rateLimitStorm() async throws {
        let jobs = Self.count("FACEDROP_E2E_STORM_JOBS", default: 8)
        var emulator = EmulatorConfiguration(timeScale: 0.01)
        emulator.requestsPerMinute = 20
        try await withDaemon(emulator: emulator, configure: { $0.requestsPerMinute = 30 }) { server, daemon in
            let stems = try (1...jobs).map { index in
                try daemon.dropJob("storm-\(index)", sidecar: Self.instantSidecar).stem
            }
            try await daemon.waitFor("\(jobs) jobs to end", timeout: .seconds(240), every: .milliseconds(200)) {
                daemon.jobs(.done).count + daemon.jobs(.failed).count >= jobs
            }
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            daemon.expectEachEndedOnce(stems)
            let ledger = await server.ledger()
            #expect(ledger.entries.contains { $0.status == 429 }, "the emulator never answered 429: the test proves nothing")
            #expect(ledger.billedSubmits == jobs)
            // Segmind counts submits and polls against the limit; output downloads are not API requests.
            let times = ledger.entries.filter { [.submit, .status, .result].contains($0.endpoint) }.map(\.time).sorted()
            var busiest = 0
            for (index, start) in times.enumerated() {
                let inWindow = times[index...].prefix { $0.timeIntervalSince(start) < 60 }.count
                busiest = max(busiest, inWindow)
            }
            #expect(busiest <= 30, "\(busiest) requests in one 60 s window")
            await daemon.expectClean()
        }
    }
}
