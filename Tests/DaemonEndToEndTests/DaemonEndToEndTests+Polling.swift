import FacedropTestSupport
import Foundation
import SegmindEmulator
import StrictJSON
import Testing

/// Polls against a Segmind that does not keep to the catalog: the model really runs ten times shorter or ten
/// times longer than published, and facedrop must notice each finished job soon after it finished.
///
/// Detection lag is the time from the emulator finishing a job to facedrop's first poll after that (the poll
/// that saw COMPLETED), as a share of the job's run time (submit to finish). The first burst is submitted
/// before any job of the model finished, so it is found by early probes; a second burst comes after, and is
/// planned from what the first measured. `FACEDROP_E2E_SKEW_BURST` sets the first burst's size (8 by default).
/// `FACEDROP_E2E_SKEW_STRETCH` multiplies the time scale (1 by default): a slowed build (ThreadSanitizer) runs
/// the jobs longer, so that its scheduling delays of some hundred milliseconds stay small beside a run time of a
/// few seconds, as they are beside a real one; the shares checked stay the same.
extension DaemonEndToEndTests {
    /// The model the catalog gives 210.8 s.
    static let skewedModel = "pulid-lightning"
    static let skewedCatalogSeconds = 210.8

    /// The detection lags of one burst's jobs, as shares of their run times, with their 95th percentile.
    struct Lags: CustomStringConvertible {
        var shares: [Double]
        var runSeconds: Double
        /// The status polls of the burst's jobs, each.
        var statusPolls: [Int]

        /// The status polls per job of the burst.
        var statusPollsPerJob: Double {
            statusPolls.isEmpty ? 0 : Double(statusPolls.reduce(0, +)) / Double(statusPolls.count)
        }

        var p95: Double {
            let sorted = shares.sorted()
            guard !sorted.isEmpty else { return .infinity }
            return sorted[min(sorted.count - 1, Int((0.95 * Double(sorted.count)).rounded(.up)) - 1)]
        }

        var description: String {
            let percent = shares.sorted().map { String(format: "%.1f", $0 * 100) }.joined(separator: " ")
            let polls = statusPolls.sorted().map(String.init).joined(separator: " ")
            return String(format: "p95 %.1f %% of %.2f s (each: %@ %%), status polls %@", p95 * 100, runSeconds, percent, polls)
        }
    }

    /// Drops `count` jobs of the skewed model named `<burst>-<n>`, waits for all to be done, and returns their lags.
    func burst(_ burst: String, count: Int, daemon: DaemonHarness, server: EmulatorServer) async throws -> Lags {
        let stems = (1...count).map { "\(burst)-\($0)" }
        for stem in stems {
            try daemon.dropJob(stem, sidecar: #"{"model":"\#(Self.skewedModel)","prompt":"\#(stem)","width":256,"height":256}"#)
        }
        try await daemon.waitFor("the \(burst) burst in done/", timeout: .seconds(60), every: .milliseconds(100)) {
            Set(daemon.jobs(.done)).isSuperset(of: stems) || !daemon.jobs(.failed).isEmpty
        }
        #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
        let jobs = await server.stats().jobs.filter { $0.prompt.map(stems.contains) ?? false }
        #expect(jobs.count == count)
        var shares: [Double] = []
        for job in jobs {
            let seen = try #require(job.firstPollAfterFinish, "\(job.prompt ?? "") was never polled after it finished")
            shares.append(seen.timeIntervalSince(job.finishedAt) / job.runSeconds)
        }
        return Lags(shares: shares, runSeconds: jobs.first?.runSeconds ?? 0, statusPolls: jobs.map(\.statusPolls))
    }

    /// Runs a first burst (no job of the model finished yet), a second once it is done, and, when `restart`, a
    /// third after a restart of the daemon; checks the lags and returns them.
    ///
    /// - Parameter paced: Segmind Pro's 50 requests a minute, scaled like the run times, both in the daemon's budget
    ///   and in the emulator's limit (no 429 allowed): the polls then wait for the budget's slots, whose length is
    ///   a share of the run time as it is against Segmind. Otherwise a budget that never makes a poll wait.
    func skewedRun(runSeconds: Double, timeScale unstretched: Double, restart: Bool, paced: Bool = false) async throws -> [Lags] {
        let stretch = ProcessInfo.processInfo.environment["FACEDROP_E2E_SKEW_STRETCH"].flatMap { Double($0) } ?? 1
        let timeScale = unstretched * max(stretch, 1)
        let rate = paced ? Int((50 / timeScale).rounded(.down)) : 10_000
        var emulator = EmulatorConfiguration(credits: 1000, timeScale: timeScale, queueSeconds: 1)
        emulator.runSeconds = [Self.skewedModel: runSeconds]
        emulator.maxOutputSide = 64
        if paced { emulator.requestsPerMinute = rate }
        var lags: [Lags] = []
        try await withDaemon(
            emulator: emulator,
            configure: {
                $0.requestsPerMinute = rate
                $0.maxInFlight = 64
                $0.runTimeScale = timeScale
            }
        ) { server, daemon in
            lags.append(try await burst("first", count: Self.count("FACEDROP_E2E_SKEW_BURST", default: 8), daemon: daemon, server: server))
            // Paced, eight jobs with their submits, polls and results would need more than the budget's slots of one
            // run time (24 requests against 5 + 3.3 s × 5.5 a second), so their lag would be the queue's: four fit.
            lags.append(try await burst("second", count: paced ? 4 : 8, daemon: daemon, server: server))
            if restart {
                // The estimate lives in the journal: a restarted daemon plans the model's next jobs from it.
                await daemon.stop()
                try await daemon.start()
                lags.append(try await burst("restarted", count: 4, daemon: daemon, server: server))
            }
            #expect(lags[0].p95 <= 0.5, "first burst: \(lags[0])")
            for later in lags.dropFirst() {
                #expect(later.p95 <= 0.1, "after the first job: \(later)")
            }
            if paced {
                #expect(await !server.ledger().entries.contains { $0.status == 429 }, "Segmind answered 429")
            }
            print(
                "detection lag, run time \(runSeconds) s for a catalog figure of \(Self.skewedCatalogSeconds) s, \(rate) requests a minute: "
                    + "\(lags.map(\.description))"
            )
        }
        return lags
    }

    @Test("a model running a tenth of its catalog time: probed early by one scout, then polled at its measured time, also after a restart")
    func modelTenTimesFaster() async throws {
        // 210.8 s published, 21.08 s real, plus 1 s queued; × 0.15: about 3.3 s from submit to finish.
        let lags = try await skewedRun(runSeconds: Self.skewedCatalogSeconds / 10, timeScale: 0.15, restart: true)
        // Only the earliest job probes (some 8 polls from 5 % of the catalog's 31.6 s to 3.3 s); the others wait
        // for its finish, then poll two or three times (the ones submitted with it may probe once before they see
        // it polling). Every job probing would cost each of them the scout's 8.
        let first = try #require(lags.first)
        #expect(first.statusPolls.max() ?? 0 >= 5, "the scout probed: \(first)")
        #expect(first.statusPolls.sorted().dropLast().allSatisfy { $0 <= 4 }, "only one job probed: \(first)")
    }

    @Test("a model running a tenth of its catalog time at Segmind's 50 requests a minute (scaled): the polls find their slots")
    func modelTenTimesFasterPaced() async throws {
        // As above, at 333 requests a minute: a slot is 0.18 s, 5.5 % of the run time, as 1.22 s is of 22 s.
        _ = try await skewedRun(runSeconds: Self.skewedCatalogSeconds / 10, timeScale: 0.15, restart: false, paced: true)
    }

    @Test("a model running ten times its catalog time: probed with growing waits, then polled at its measured time")
    func modelTenTimesSlower() async throws {
        // 210.8 s published, 2108 s real, plus 1 s queued; × 0.0015: about 3.2 s from submit to finish.
        _ = try await skewedRun(runSeconds: Self.skewedCatalogSeconds * 10, timeScale: 0.0015, restart: false)
    }
}
