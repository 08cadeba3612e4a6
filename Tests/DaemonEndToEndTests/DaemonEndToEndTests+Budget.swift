import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import Testing

/// The request budget under stops and crashes: a job that waits for its turn is only queued, never "maybe
/// billed"; SIGTERM ends the wait at once; a restart remembers what the last minute spent.
extension DaemonEndToEndTests {
    /// The emulator's API requests (everything but output downloads), in arrival order.
    static func apiRequests(_ ledger: Ledger) -> [Ledger.Entry] {
        ledger.entries.filter { $0.endpoint != .output }
    }

    /// Drops four flux-pulid jobs under `requests_per_minute = 3` and waits until the budget is spent (the
    /// start's credit check and submits) and at least one job waits for its turn. Returns the waiting jobs.
    func saturateBudget(_ daemon: DaemonHarness, _ server: EmulatorServer, prefix: String) async throws -> [String] {
        let jobs = try dropFluxJobs(daemon, prefix: prefix, count: 4)
        var waiting: [String] = []
        try await daemon.waitFor("the budget spent and a job waiting for its turn", every: .milliseconds(100)) {
            let ledger = await server.ledger()
            guard Self.apiRequests(ledger).count == 3 else { return false }
            let report = try await daemon.status()
            let submitted = DaemonHarness.inFlight(in: report).filter { $0.value == "submitted" }.map(\.key)
            guard submitted.count == ledger.submits, DaemonHarness.jobCounts(in: report).values.reduce(0, +) == jobs.count else { return false }
            waiting = jobs.map(\.stem).filter { !submitted.contains($0) }.sorted()
            return true
        }
        #expect(!waiting.isEmpty)
        return waiting
    }

    /// Runs `body` on a daemon held to three requests a minute, once four jobs are dropped and the budget is spent
    /// with at least one of them still waiting for its turn (`waiting`). The burst is the whole minute's three, so
    /// the budget is spent at once rather than paced over the minute.
    func withSaturatedBudget(prefix: String, _ body: (EmulatorServer, DaemonHarness, _ waiting: [String]) async throws -> Void) async throws {
        let emulator = EmulatorConfiguration(timeScale: 0.3)
        try await withDaemon(
            emulator: emulator,
            configure: {
                $0.requestsPerMinute = 3
                $0.requestBurst = 3
                $0.runTimeScale = 0.3
            }
        ) { server, daemon in
            try await body(server, daemon, try await saturateBudget(daemon, server, prefix: prefix))
        }
    }

    @Test("SIGTERM while a job waits for the request budget: the daemon exits at once, sends no POST after the signal, and the job stays queued")
    func sigtermWhileWaitingForBudget() async throws {
        try await withSaturatedBudget(prefix: "budget-term") { server, daemon, waiting in
            let before = await server.ledger().submits
            let termination = try #require(await daemon.stop(grace: .seconds(30)))
            #expect(!termination.signalled && termination.status == 0, "\(termination)")
            #expect(termination.elapsed < .seconds(5), "the stop waited for the budget: \(termination)")
            try await Task.sleep(for: .seconds(1))
            #expect(await server.ledger().submits == before, "a POST was sent after SIGTERM")
            let counts = try await daemon.jobCounts()
            #expect(counts["claimed"] == waiting.count && (counts["submitting"] ?? 0) == 0, "\(waiting) waited for the budget: \(counts)")
        }
    }

    @Test("kill -9 while a job waits for the request budget: after the restart it is submitted once and done, not failed as outcome_unknown")
    func killWhileWaitingForBudget() async throws {
        try await withSaturatedBudget(prefix: "budget-kill") { server, daemon, waiting in
            await daemon.killHard()
            let sent = await server.ledger().submits
            let counts = try await daemon.jobCounts()
            #expect(
                counts["claimed"] == waiting.count && (counts["submitting"] ?? 0) == 0,
                "\(waiting) were never sent, yet are journaled as maybe sent: \(counts)"
            )
            // A larger budget for the next life, so the test need not wait out the minute the first one spent.
            daemon.settings.requestsPerMinute = 600
            daemon.settings.requestBurst = nil
            try daemon.writeConfiguration()
            try await daemon.start()
            try await daemon.waitFor("all four jobs to end") { daemon.jobs(.done).count + daemon.jobs(.failed).count == 4 }
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            let ledger = await server.ledger()
            #expect(ledger.submits == 4)
            #expect(ledger.submits - sent == waiting.count)
            #expect(Set(ledger.entries(for: .submit).compactMap(\.requestID)).count == 4)
        }
    }

    @Test("a restart remembers the requests of the last minute: a daemon killed after spending its budget sends nothing until the window frees")
    func restartKeepsTheRequestWindow() async throws {
        let emulator = EmulatorConfiguration(timeScale: 0.5)
        try await withDaemon(
            emulator: emulator,
            configure: {
                $0.requestsPerMinute = 4
                // The whole minute's four at once, so the window is spent within the test's first seconds.
                $0.requestBurst = 4
                $0.runTimeScale = 0.5
            }
        ) { server, daemon in
            _ = try dropFluxJobs(daemon, prefix: "window", count: 3)
            try await daemon.waitFor("the budget to be spent", every: .milliseconds(50)) {
                Self.apiRequests(await server.ledger()).count >= 4
            }
            await daemon.killHard()
            let spent = Self.apiRequests(await server.ledger())
            #expect(spent.count == 4, "\(spent.map(\.path))")
            try await daemon.start()
            try await Task.sleep(for: .seconds(6))
            let after = Self.apiRequests(await server.ledger())
            #expect(after.count == spent.count, "requests sent by the restarted daemon within the same minute: \(after.dropFirst(spent.count).map(\.path))")
            #expect(daemon.log.contains("the request budget counts requests of the last minute before this start"))
        }
    }
}
