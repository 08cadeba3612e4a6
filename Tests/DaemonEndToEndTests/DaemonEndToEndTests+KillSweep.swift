import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Synchronization
import Testing

/// `kill -9` swept over every step of a job's life, hundreds of times, then one life that finishes everything:
/// every pair ends exactly once, no job is submitted twice, and `outcome_unknown` is reported only for jobs whose
/// POST may have reached Segmind.
extension DaemonEndToEndTests {
    /// Where one life of the sweep dies.
    enum KillSite: CustomStringConvertible, Hashable {
        /// The daemon kills itself with SIGKILL the `hit`th time a job reaches this step (`FACEDROP_CRASH_POINT`).
        case step(String, hit: Int)
        /// The test kills the daemon with SIGKILL while its `hit`th request of this kind is at the emulator,
        /// handled (a submit billed) and its answer not yet sent.
        case request(EmulatorEndpoint, hit: Int)

        var hit: Int {
            switch self {
            case .step(_, let hit), .request(_, let hit): hit
            }
        }

        /// A step only a failing job reaches.
        var isFailureStep: Bool {
            if case .step(let name, _) = self { name.hasPrefix("fail.") } else { false }
        }

        var description: String {
            switch self {
            case .step(let name, let hit): "\(name):\(hit)"
            case .request(let endpoint, let hit): "at the emulator, \(endpoint):\(hit)"
            }
        }

        /// The daemon's crash points, in a job's order, as the binary itself lists them when it refuses a name it
        /// does not know: the sweep covers every point there is, one added later included.
        static func steps(_ daemon: DaemonHarness) async throws -> [String] {
            daemon.environment["FACEDROP_CRASH_POINT"] = "?"
            defer { daemon.environment["FACEDROP_CRASH_POINT"] = nil }
            let (ended, output) = try await daemon.runCommand(["run", "--config", daemon.configPath])
            guard !ended.signalled, ended.status != 0, let list = output.range(of: "one of: ") else {
                throw DaemonHarness.HarnessError.unreadableOutput("no list of crash points (\(ended)): \(output)")
            }
            return output[list.upperBound...].prefix { !$0.isNewline }.split(separator: ", ").map(String.init)
        }

        /// Every site, each with the hit counts 1, 2 and 3 in turn.
        static func all(steps: [String], round: Int) -> [KillSite] {
            let hit = 1 + round % 3
            return steps.map { .step($0, hit: hit) } + [EmulatorEndpoint.submit, .status, .result, .output].map { .request($0, hit: hit) }
        }
    }

    /// What the sweep did, for its report.
    struct SweepTally {
        var lives = 0
        var kills = 0
        var killsBySite: [String: Int] = [:]
        /// Jobs whose intent to submit was on disk, and the answer to their POST not, when a kill struck (read from
        /// the journal right after each kill): the only jobs whose POST may have reached Segmind unrecorded, so
        /// the only ones that may be reported as `outcome_unknown`. The emulator's ledger tells which of them it
        /// received (billed, answer lost) and which it never saw (killed in the instant between the journal write
        /// and the request leaving the machine).
        var submittingAtKill: Set<String> = []
        var unexpectedEnds: [String] = []
    }

    /// A sidecar whose prompt names the job, so the emulator's ledger tells whose submit each one was; odd jobs
    /// ask for two images (a download can be cut between them).
    static func sweepSidecar(_ stem: String, index: Int) -> String {
        index % 2 == 0
            ? #"{"model":"flux-pulid","prompt":"sweep \#(stem)","width":256,"height":256,"output_format":"jpg"}"#
            : #"{"model":"pulid-base","prompt":"sweep \#(stem)","number_of_images":2,"width":512,"height":512,"output_format":"png"}"#
    }

    @Test(
        "kill -9 at every step of a job's life, at least 200 times: every pair ends once, no job is submitted twice, outcome_unknown only where the POST may have reached Segmind"
    )
    func killSweep() async throws {
        let target = Self.count("FACEDROP_KILL_SWEEP", default: 200)
        // Segmind runs three times slower than the daemon expects, so first polls find jobs still running.
        let emulator = EmulatorConfiguration(timeScale: 0.03)
        try await withDaemon(
            emulator: emulator,
            startDaemon: false,
            configure: {
                $0.maxInFlight = 8
                $0.runTimeScale = 0.01
            }
        ) { server, daemon in
            var tally = SweepTally()
            var dropped: [DroppedJob] = []
            var invalidJobs: Set<String> = []
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(25 * 60)
            let steps = try await KillSite.steps(daemon)
            #expect(steps.count >= 20 && steps.contains("submit.intent") && steps.contains("claim.moved"), "\(steps)")
            var round = 0
            var sites: [KillSite] = []
            while tally.kills < target, clock.now < deadline {
                if sites.isEmpty {
                    sites = KillSite.all(steps: steps, round: round)
                    round += 1
                }
                let site = sites.removeFirst()
                // Fresh work for every life, as many jobs as the site's hit count, so every step has jobs to reach
                // it; the jobs of a life that is to die failing one have invalid sidecars.
                for _ in 0..<site.hit {
                    let stem = "s\(dropped.count)"
                    let invalid = site.isFailureStep
                    let sidecar = invalid ? #"{"model":"flux-pulid","prompt":"sweep \#(stem)","num_steps":99}"# : Self.sweepSidecar(stem, index: dropped.count)
                    dropped.append(try daemon.dropJob(stem, sidecar: sidecar))
                    if invalid { invalidJobs.insert(stem) }
                }
                try await live(daemon, server, site: site, tally: &tally, jobs: dropped.count)
            }
            // The last life, undisturbed, finishes what is left.
            daemon.environment["FACEDROP_CRASH_POINT"] = nil
            daemon.settings.requestsPerMinute = 600
            try daemon.writeConfiguration()
            try await daemon.start()
            try await daemon.waitFor("every dropped job to end", timeout: .seconds(600)) {
                daemon.jobs(.done).count + daemon.jobs(.failed).count >= dropped.count
            }
            try await Task.sleep(for: .milliseconds(500))
            let report = try await expectSweepOutcome(daemon, server, dropped: dropped, invalid: invalidJobs, tally: tally)
            print(report)
            #expect(tally.kills >= target, "only \(tally.kills) kills in \(tally.lives) lives before the time limit")
            #expect(tally.unexpectedEnds.isEmpty, "\(tally.unexpectedEnds)")
            await daemon.expectClean()
        }
    }

    /// One life of the daemon, armed to die at `site`: it ends killed there, or (when no job reaches the site)
    /// stopped once every job has ended or 20 s have passed.
    func live(_ daemon: DaemonHarness, _ server: EmulatorServer, site: KillSite, tally: inout SweepTally, jobs: Int) async throws {
        tally.lives += 1
        // A spent budget for the lives that must die waiting for it: one request a minute, and the window the last
        // life left behind in the state folder already holds one.
        let rate = site == .step("submit.waiting", hit: site.hit) ? 1 : 600
        if daemon.settings.requestsPerMinute != rate {
            daemon.settings.requestsPerMinute = rate
            try daemon.writeConfiguration()
        }
        let countdown = Atomic<Int>(0)
        switch site {
        case .step(let name, let hit):
            daemon.environment["FACEDROP_CRASH_POINT"] = "\(name):\(hit)"
            try daemon.launchDaemon()
        case .request(let endpoint, let hit):
            daemon.environment["FACEDROP_CRASH_POINT"] = nil
            countdown.store(hit, ordering: .sequentiallyConsistent)
            try daemon.launchDaemon()
            if let pid = daemon.processID {
                await server.observeRequests { [countdown] entry in
                    guard entry.endpoint == endpoint, countdown.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 else { return }
                    ProcessSignal.kill.send(to: pid)
                }
            }
        }
        let logBefore = daemon.log.utf8.count
        let clock = ContinuousClock()
        let giveUp = clock.now + .seconds(20)
        var ended: DaemonHarness.Termination?
        while clock.now < giveUp {
            if let termination = await daemon.waitForExit(within: .milliseconds(100)) {
                ended = termination
                break
            }
            if daemon.jobs(.done).count + daemon.jobs(.failed).count >= jobs, (try? await daemon.jobCounts())?.values.reduce(0, +) == jobs {
                break
            }
        }
        await server.observeRequests(nil)
        guard let ended else {
            _ = await daemon.stop()
            return
        }
        let lifeLog = String(daemon.log.utf8.dropFirst(logBefore)) ?? ""
        guard ended.signalled, ended.status == 9 else {
            tally.unexpectedEnds.append("\(site): \(ended)\n\(lifeLog.suffix(2000))")
            return
        }
        tally.kills += 1
        tally.killsBySite["\(site)".components(separatedBy: ":").first ?? "\(site)", default: 0] += 1
        let inFlight = DaemonHarness.inFlight(in: try await daemon.status())
        tally.submittingAtKill.formUnion(inFlight.filter { $0.value == "submitting" }.map(\.key))
    }

    /// The sweep's promises, checked; returns the report for the log.
    func expectSweepOutcome(
        _ daemon: DaemonHarness,
        _ server: EmulatorServer,
        dropped: [DroppedJob],
        invalid: Set<String>,
        tally: SweepTally
    ) async throws -> String {
        daemon.expectEachEndedOnce(dropped.map(\.outboxPath))
        let ledger = await server.ledger()
        var submitsByJob: [String: Int] = [:]
        for entry in ledger.entries(for: .submit) {
            guard let prompt = entry.prompt, prompt.hasPrefix("sweep ") else { continue }
            submitsByJob[String(prompt.dropFirst(6)), default: 0] += 1
        }
        let twice = submitsByJob.filter { $0.value > 1 }
        #expect(twice.isEmpty, "submitted more than once: \(twice)")
        var failedByCode: [String: Int] = [:]
        var unknownReceived = 0
        var unknownBeforeThePOST = 0
        for job in dropped {
            if daemon.jobs(.done).contains(job.outboxPath) {
                let model =
                    job.files["\(job.stem).json"].map { String(decoding: $0, as: UTF8.self).contains("flux-pulid") } == true ? "flux-pulid" : "pulid-base"
                if let requestID = try daemon.expectDone(job, model: model) {
                    #expect(ledger.submits(forRequestID: requestID) == 1, "\(job.stem)")
                }
                #expect(submitsByJob[job.stem] == 1, "\(job.stem) is done with \(submitsByJob[job.stem] ?? 0) submits")
                continue
            }
            let record = try daemon.record(.failed, job.outboxPath)
            let code = record["code"]?.stringValue ?? "?"
            failedByCode[code, default: 0] += 1
            if invalid.contains(job.stem) {
                #expect(code == "invalid_sidecar", "\(job.stem) failed as \(code): \(record["message"]?.stringValue ?? "")")
                #expect(submitsByJob[job.stem] == nil, "\(job.stem) has an invalid sidecar, yet was submitted")
                continue
            }
            #expect(code == "outcome_unknown", "\(job.stem) failed as \(code): \(record["message"]?.stringValue ?? "")")
            if code == "outcome_unknown" {
                #expect(
                    tally.submittingAtKill.contains(job.stem),
                    "\(job.stem) is outcome_unknown, yet no kill caught it between its intent to submit and the answer"
                )
                if submitsByJob[job.stem] == 1 {
                    unknownReceived += 1
                } else {
                    unknownBeforeThePOST += 1
                }
            }
        }
        let done = daemon.jobs(.done).count
        let submits = ledger.submits
        return """
            KILL SWEEP: \(tally.kills) kills in \(tally.lives) lives; \(dropped.count) jobs: \(done) done, \
            failed by code \(failedByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); \
            outcome_unknown with the submit received \(unknownReceived), not received (killed between the intent and the POST) \
            \(unknownBeforeThePOST), jobs caught between the intent and the answer \(tally.submittingAtKill.count); submits received \(submits), billed \(ledger.billedSubmits), jobs submitted twice \(twice.count); \
            kills by site: \(tally.killsBySite.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            """
    }
}
