import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// Spending limits: a budget is never overrun, jobs over it wait (visibly) or fail, and the spend survives
/// restarts and `kill -9`. flux-pulid costs 0.036 USD a run in the catalog and in the emulator.
extension DaemonEndToEndTests {
    static let fluxPrice = 0.036
    /// Three flux-pulid runs, written as people write it (3 × 0.036 is 0.10799999999999998 in binary).
    static let threeFluxRuns = 0.108

    /// `facedrop status --json`'s spend figures for the service today: spent, in flight, left.
    func serviceToday(_ daemon: DaemonHarness) async throws -> (spent: Double, inFlight: Double, left: Double?) {
        let today = try await daemon.status()["spend"]?["service"]?["today"]
        return (today?["spent"]?.doubleValue ?? -1, today?["in_flight"]?.doubleValue ?? -1, today?["left"]?.doubleValue)
    }

    @Test("a daily budget of k runs: k jobs done, the rest wait visibly with one warning, and a reload raising it lets them go")
    func dailyBudgetHoldsTheRest() async throws {
        try await withDaemon(configure: { $0.dailyBudget = Self.threeFluxRuns }) { server, daemon in
            let jobs = try dropFluxJobs(daemon, prefix: "budget", count: 5)
            try await daemon.waitFor("3 done and 2 waiting for budget", timeout: .seconds(30)) {
                let counts = try await daemon.jobCounts()
                return counts["done"] == 3 && counts["waitingForBudget"] == 2
            }
            try await Task.sleep(for: .milliseconds(500))  // room for a fourth submit to show
            #expect(await server.ledger().billedSubmits == 3)
            #expect(daemon.jobs(.done).count == 3)
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            #expect(daemon.warnings(endingWith: "-budget-reached.json").count == 1)
            let warning = try DaemonHarness.readJSON("\(daemon.outbox)/warnings/\(try #require(daemon.warnings(endingWith: "-budget-reached.json").first))")
            #expect(warning["scope"]?.stringValue == "service")
            #expect(warning["period"]?.stringValue == "day")
            #expect(warning["budget"]?.doubleValue == Self.threeFluxRuns)

            let spend = try await serviceToday(daemon)
            #expect(abs(spend.spent - 3 * Self.fluxPrice) < 1e-9, "\(spend)")
            #expect(spend.inFlight == 0)
            #expect((spend.left ?? 1) < 1e-9)
            let (_, text) = try await daemon.runCommand(["status", "--config", daemon.configPath])
            #expect(text.contains("waitingForBudget 2"), "\(text)")
            #expect(text.contains("spend (UTC day"), "\(text)")

            // result.json carries Segmind's cost and the estimate made before the submit.
            let done = try daemon.record(.done, try #require(daemon.jobs(.done).first))
            #expect(done["credits"]?["cost"]?.doubleValue == Self.fluxPrice)
            #expect(done["credits"]?["estimate"]?["usd"]?.doubleValue == Self.fluxPrice)
            #expect(done["credits"]?["estimate"]?["source"]?.stringValue == "catalog")

            daemon.settings.dailyBudget = 5 * Self.fluxPrice + 0.001
            try daemon.writeConfiguration()
            daemon.hangUp()
            try await daemon.waitFor("the waiting jobs to finish after the reload", timeout: .seconds(30)) { daemon.jobs(.done).count == 5 }
            daemon.expectEachEndedOnce(jobs.map(\.outboxPath))
            #expect(await server.ledger().billedSubmits == 5)
            #expect(daemon.warnings(endingWith: "-budget-reached.json").count == 1)
            await daemon.expectClean()
        }
    }

    @Test("the spend is remembered across a restart: a spent daily budget stays spent")
    func budgetAcrossRestart() async throws {
        try await withDaemon(configure: { $0.dailyBudget = 2 * Self.fluxPrice + 0.001 }) { server, daemon in
            _ = try dropFluxJobs(daemon, prefix: "before", count: 2)
            try await daemon.waitFor("2 jobs done", timeout: .seconds(30)) { daemon.jobs(.done).count == 2 }
            _ = await daemon.stop()
            try await daemon.start()
            _ = try dropFluxJobs(daemon, prefix: "after", count: 2)
            try await daemon.waitFor("the new jobs to wait for budget", timeout: .seconds(30)) {
                try await daemon.jobCounts()["waitingForBudget"] == 2
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(await server.ledger().billedSubmits == 2)
            #expect(daemon.jobs(.done).count == 2)
            let spend = try await serviceToday(daemon)
            #expect(abs(spend.spent - 2 * Self.fluxPrice) < 1e-9, "\(spend)")
        }
    }

    @Test("kill -9 mid-run, then a restart: the budget is never exceeded by more than one estimate")
    func budgetAcrossKill() async throws {
        try await withDaemon(startDaemon: false, configure: { $0.dailyBudget = Self.threeFluxRuns }) { server, daemon in
            // The second answered submit kills the daemon before its request ID is journaled: that job ends as an
            // unknown outcome (billed by the emulator), others are caught anywhere from claimed to polling.
            daemon.environment["FACEDROP_CRASH_POINT"] = "submit.answered:2"
            try await daemon.start()
            let jobs = try dropFluxJobs(daemon, prefix: "killed", count: 6)
            let killed = await daemon.waitForExit(within: .seconds(30))
            #expect(killed?.signalled == true, "the crash point was not reached: \(String(describing: killed))")
            daemon.environment["FACEDROP_CRASH_POINT"] = nil
            try await daemon.start()
            try await daemon.waitFor("every job to end or wait for budget", timeout: .seconds(40)) {
                let counts = try await daemon.jobCounts()
                return (counts["done"] ?? 0) + (counts["failed"] ?? 0) + (counts["waitingForBudget"] ?? 0) == jobs.count
                    && daemon.jobs(.done).count + daemon.jobs(.failed).count == (counts["done"] ?? 0) + (counts["failed"] ?? 0)
            }
            try await Task.sleep(for: .milliseconds(500))
            let ledger = await server.ledger()
            #expect(ledger.totalBilled <= Self.threeFluxRuns + Self.fluxPrice + 1e-9, "billed \(ledger.totalBilled)")
            #expect(ledger.billedSubmits >= 2)
            let spend = try await serviceToday(daemon)
            // Everything billed is counted (an unknown outcome by its estimate), and nothing beyond the budget.
            #expect(spend.spent + spend.inFlight >= ledger.totalBilled - 1e-9, "\(spend) for \(ledger.totalBilled) billed")
            #expect(spend.spent + spend.inFlight <= Self.threeFluxRuns + 1e-9, "\(spend)")
            #expect(daemon.jobs(.failed).allSatisfy { (try? daemon.record(.failed, $0)["code"]?.stringValue) == "outcome_unknown" })
        }
    }

    @Test("over_budget = \"fail\": the job over the inbox's budget fails with budget_exceeded, unsent")
    func overBudgetFails() async throws {
        try await withDaemon(configure: {
            $0.inboxes[0].dailyBudget = Self.fluxPrice
            $0.inboxes[0].overBudget = "fail"
        }) { server, daemon in
            _ = try dropFluxJobs(daemon, prefix: "strict", count: 2)
            try await daemon.waitFor("one done and one failed", timeout: .seconds(30)) {
                daemon.jobs(.done).count == 1 && daemon.jobs(.failed).count == 1
            }
            let failed = try #require(daemon.jobs(.failed).first)
            let record = try daemon.expectFailed(failed, code: "budget_exceeded")
            #expect(record["message"]?.stringValue?.contains("daily budget") == true, "\(record.serializedString())")
            #expect(await server.ledger().billedSubmits == 1)
            #expect(daemon.warnings(endingWith: "-budget-reached.json").count == 1)
            #expect(try await daemon.jobCounts()["waitingForBudget"] == 0)
            await daemon.expectClean()
        }
    }

    @Test("facedrop check prints each sidecar's estimated cost and the catalog's run time; an unpriced model says unknown_cost")
    func checkPrintsEstimate() async throws {
        try await withDaemon(startDaemon: false) { _, daemon in
            let folder = daemon.folder.appending("estimate")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let priced = "\(folder)/priced.json"
            let unpriced = "\(folder)/unpriced.json"
            try Data(#"{"model":"pulid-base","prompt":"a portrait","number_of_images":2}"#.utf8).write(to: URL(fileURLWithPath: priced))
            try Data(#"{"model":"pulid-lightning","prompt":"a portrait"}"#.utf8).write(to: URL(fileURLWithPath: unpriced))
            let (ended, output) = try await daemon.runCommand(["check", "--config", daemon.configPath, priced, unpriced])
            #expect(!ended.signalled && ended.status == 0, "\(ended): \(output)")
            #expect(output.contains("estimated cost: 0.41 USD (2 images × 0.205 USD, catalog price); usual run time about 70.7 s"), "\(output)")
            #expect(output.contains("estimated cost: 0.5 USD (1 image × 0.5 USD, no catalog price: [credits] unknown_cost)"), "\(output)")
        }
    }
}
