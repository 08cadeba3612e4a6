import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// Thousands of pairs at once: each ends exactly once, each is paid once.
///
/// The count is `FACEDROP_E2E_PAIRS` (2,000 by default, the acceptance criterion).
extension DaemonEndToEndTests {
    static var pairCount: Int { count("FACEDROP_E2E_PAIRS", default: 2000) }
    static let scaleSidecar = Array(#"{"model":"flux-pulid","prompt":"a portrait","width":256,"height":256,"output_format":"jpg"}"#.utf8)

    /// A fast emulator: no queue, model time a thousandth of Segmind's, small outputs (the emulator renders
    /// every image in this process, beside the daemon, on two cores).
    static var fastEmulator: EmulatorConfiguration {
        var configuration = EmulatorConfiguration(credits: 1000, timeScale: 0.001, queueSeconds: 0)
        configuration.maxOutputSide = 64
        return configuration
    }

    static func fastDaemon(_ settings: inout DaemonSettings) {
        settings.requestsPerMinute = 10_000
        // These tests measure the daemon's own pace through 2,000 pairs; the request pacing has its own test.
        settings.requestBurst = 10_000
        settings.maxInFlight = 32
        settings.runTimeScale = 0.001
        settings.jobDeadline = 600
        settings.inboxes[0].rescanInterval = 30
        settings.inboxes[0].orphanAfter = 600
    }

    /// Drops `count` pairs of the small face, each file whole.
    func dropPairs(_ daemon: DaemonHarness, count: Int) throws -> [String] {
        let face = try Fixtures.bytes(Fixtures.smallFaceJPEG)
        return try (1...count).map { index in
            let stem = String(format: "pair-%05d", index)
            try daemon.drop(face, as: "\(stem).jpg")
            try daemon.drop(Self.scaleSidecar, as: "\(stem).json")
            return stem
        }
    }

    /// Waits for `stems` to end and checks each ended once in done/, paid once; returns the seconds taken.
    func expectAllDone(_ daemon: DaemonHarness, _ server: EmulatorServer, stems: [String], since start: ContinuousClock.Instant) async throws -> Duration {
        try await daemon.waitFor("\(stems.count) jobs to end", timeout: .seconds(900), every: .milliseconds(500)) {
            daemon.topLevelCount(.done) + daemon.topLevelCount(.failed) >= stems.count
        }
        let elapsed = ContinuousClock.now - start
        try await Task.sleep(for: .seconds(1))
        #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
        daemon.expectEachEndedOnce(stems)
        let ledger = await server.ledger()
        #expect(ledger.submits == stems.count)
        #expect(ledger.billedSubmits == stems.count)
        var requestIDs: Set<String> = []
        for stem in daemon.jobs(.done) {
            if let id = try daemon.record(.done, stem)["request_id"]?.stringValue { requestIDs.insert(id) }
        }
        #expect(requestIDs.count == stems.count, "distinct request IDs in done/")
        #expect(requestIDs == Set(ledger.entries(for: .submit).compactMap(\.requestID)))
        // A sample, checked in full: images traced to the face, inputs as dropped.
        let face = try Fixtures.bytes(Fixtures.smallFaceJPEG)
        for stem in stride(from: 0, to: stems.count, by: max(1, stems.count / 10)).map({ stems[$0] }) {
            var job = DroppedJob(subfolder: "", stem: stem, face: "\(stem).jpg")
            job.files = ["\(stem).jpg": face, "\(stem).json": Self.scaleSidecar]
            try daemon.expectDone(job, model: "flux-pulid")
        }
        try await daemon.waitFor("the inbox to empty", timeout: .seconds(60)) { daemon.inboxFiles().isEmpty && daemon.leftovers().isEmpty }
        await daemon.expectClean()
        print("facedrop end-to-end: \(stems.count) pairs done in \(elapsed)")
        return elapsed
    }

    @Test("pairs dropped while the daemon is down are all found by the start-up scan and done exactly once")
    func startupScanAtScale() async throws {
        try await withDaemon(emulator: Self.fastEmulator, startDaemon: false, configure: Self.fastDaemon) { server, daemon in
            let stems = try dropPairs(daemon, count: Self.pairCount)
            let start = ContinuousClock.now
            try await daemon.start()
            _ = try await expectAllDone(daemon, server, stems: stems, since: start)
        }
    }

    @Test("pairs dropped all at once into a running daemon are all done exactly once")
    func burstAtScale() async throws {
        try await withDaemon(emulator: Self.fastEmulator, configure: Self.fastDaemon) { server, daemon in
            let start = ContinuousClock.now
            let stems = try dropPairs(daemon, count: Self.pairCount)
            _ = try await expectAllDone(daemon, server, stems: stems, since: start)
        }
    }
}

extension DaemonEndToEndTests {
    @Test("under a steady load the first poll keeps to the model's run time instead of drifting later")
    func firstPollDoesNotDrift() async throws {
        // flux-pulid runs 13 ms here (13.1 s at a time scale of 0.001): the daemon plans its first poll at
        // the 250 ms floor. What it learns from finished jobs must not push that later and later.
        let count = Self.count("FACEDROP_E2E_DRIFT_PAIRS", default: 600)
        try await withDaemon(emulator: Self.fastEmulator, configure: Self.fastDaemon) { server, daemon in
            _ = try dropPairs(daemon, count: count)
            try await daemon.waitFor("\(count) jobs to end", timeout: .seconds(300), every: .milliseconds(500)) {
                daemon.topLevelCount(.done) + daemon.topLevelCount(.failed) >= count
            }
            let ledger = await server.ledger()
            let submits = ledger.entries(for: .submit).sorted { $0.time < $1.time }
            let waits: [Double] = submits.compactMap { submit in
                guard let id = submit.requestID,
                    let firstPoll = ledger.entries(forRequestID: id).first(where: { $0.endpoint == .status })
                else { return nil }
                return firstPoll.time.timeIntervalSince(submit.time)
            }
            #expect(waits.count == count)
            // The first max_in_flight jobs are submitted before any has finished: nothing learned yet.
            let early = waits.prefix(32).sorted()
            let late = waits.suffix(50).sorted()
            let earlyMedian = early.isEmpty ? 0 : early[early.count / 2]
            let lateMedian = late.isEmpty ? 0 : late[late.count / 2]
            // Relative to the first jobs, so a loaded machine (slower everywhere) does not fail it. The slack is
            // wider under ThreadSanitizer (.ci/tsan sets it): there the daemon and the in-process emulator keep both
            // cores busy once deliveries run alongside the polls, which delays the later polls for no fault of the
            // planner; the plain acceptance pass holds the default.
            let slack = ProcessInfo.processInfo.environment["FACEDROP_E2E_DRIFT_SLACK"].flatMap { Double($0) } ?? 0.5
            #expect(
                lateMedian < earlyMedian * 2 + slack,
                "submit to first poll: median \(earlyMedian) s for the first 32 jobs, \(lateMedian) s for the last 50"
            )
        }
    }
}
