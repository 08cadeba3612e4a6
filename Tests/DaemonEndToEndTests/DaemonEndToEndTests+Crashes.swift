import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// `kill -9` at each step of a job, then a restart: every job ends exactly once, none is paid twice, and
/// nothing temporary is left behind.
extension DaemonEndToEndTests {
    static let fluxSidecar = #"{"model":"flux-pulid","prompt":"a portrait","width":256,"height":256,"output_format":"jpg"}"#

    /// Drops `count` flux-pulid jobs named `<prefix>-<n>`.
    func dropFluxJobs(_ daemon: DaemonHarness, prefix: String, count: Int) throws -> [DroppedJob] {
        try (1...count).map { try daemon.dropJob("\(prefix)-\($0)", sidecar: Self.fluxSidecar) }
    }

    /// After the restart: every job ended once, the done ones are real and paid once, nothing is left over.
    func expectRecovered(
        _ daemon: DaemonHarness,
        _ server: EmulatorServer,
        jobs: [DroppedJob],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await daemon.waitFor("every job to end after the restart") {
            daemon.jobs(.done).count + daemon.jobs(.failed).count >= jobs.count
        }
        try await Task.sleep(for: .milliseconds(500))  // room for a wrong second folder or submit to show
        daemon.expectEachEndedOnce(jobs.map(\.outboxPath), sourceLocation: sourceLocation)
        let ledger = await server.ledger()
        #expect(ledger.submits == jobs.count, "submits: \(ledger.submits) for \(jobs.count) jobs", sourceLocation: sourceLocation)
        for job in jobs where daemon.jobs(.done).contains(job.outboxPath) {
            if let requestID = try daemon.expectDone(job, model: "flux-pulid", sourceLocation: sourceLocation) {
                #expect(ledger.submits(forRequestID: requestID) == 1, sourceLocation: sourceLocation)
            }
        }
        try await daemon.waitFor("the claimed files and temporary files to go") { daemon.inboxFiles().isEmpty && daemon.leftovers().isEmpty }
        await daemon.expectClean(sourceLocation: sourceLocation)
    }

    /// Drops `count` flux-pulid jobs, waits until `moment` holds (the jobs are on Segmind, unfinished), stops
    /// the daemon with `stop`, restarts it and checks every job completed once, paid once. Returns the ledger
    /// as it was right after the stop.
    @discardableResult
    func interruptAndRecover(
        _ daemon: DaemonHarness,
        _ server: EmulatorServer,
        prefix: String,
        count: Int,
        stop: (DaemonHarness) async -> Void,
        when moment: () async throws -> Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Ledger {
        let jobs = try dropFluxJobs(daemon, prefix: prefix, count: count)
        try await daemon.waitFor("the moment to stop the daemon", every: .milliseconds(100), moment)
        await stop(daemon)
        let before = await server.ledger()
        #expect(daemon.jobs(.done).isEmpty, "the jobs were meant to be still running on Segmind", sourceLocation: sourceLocation)
        try await daemon.start()
        try await expectRecovered(daemon, server, jobs: jobs, sourceLocation: sourceLocation)
        #expect(daemon.jobs(.done).count == count, daemon.failureSummary, sourceLocation: sourceLocation)
        return before
    }

    @Test("kill -9 with one job's submit in flight and two claimed: the submit in flight ends as outcome_unknown, the others complete")
    func killWhileClaimed() async throws {
        try await withDaemon(configure: { $0.maxInFlight = 1 }) { server, daemon in
            // The kill must land while the first submit is held: one `facedrop status` gives both the counts
            // and the job's name, and the hold leaves room for a slow status command (over a second when
            // facedrop is built with ThreadSanitizer).
            await server.inject(EmulatorFault(endpoint: .submit, kind: .delay(.seconds(8))))
            let jobs = try dropFluxJobs(daemon, prefix: "claimed", count: 3)
            var submitting: String?
            try await daemon.waitFor("one job submitting and two claimed", every: .milliseconds(100)) {
                let report = try await daemon.status()
                let counts = DaemonHarness.jobCounts(in: report)
                submitting = DaemonHarness.inFlight(in: report).first { $0.value == "submitting" }?.key
                return counts["submitting"] == 1 && counts["claimed"] == 2
            }
            await daemon.killHard()
            // The delayed POST still reaches the emulator and is billed, as a real one would be.
            try await daemon.waitFor("the delayed submit to be billed") { await server.ledger().billedSubmits == 1 }
            try await daemon.start()
            try await expectRecovered(daemon, server, jobs: jobs)
            if let submitting {
                try daemon.expectFailed(submitting, code: "outcome_unknown", dropped: ["\(submitting).jpg", "\(submitting).json"])
            }
            #expect(daemon.jobs(.done).count == 2)
        }
    }

    @Test("kill -9 after the submits were journaled: the restart polls the same requests and submits nothing")
    func killAfterSubmit() async throws {
        let emulator = EmulatorConfiguration(timeScale: 0.2)
        try await withDaemon(emulator: emulator, configure: { $0.runTimeScale = 0.2 }) { server, daemon in
            try await interruptAndRecover(daemon, server, prefix: "submitted", count: 3, stop: { await $0.killHard() }) {
                try await daemon.jobCounts()["submitted"] == 3
            }
        }
    }

    @Test("kill -9 while polling: the restart goes on polling the same requests")
    func killWhilePolling() async throws {
        let emulator = EmulatorConfiguration(timeScale: 0.3)
        try await withDaemon(emulator: emulator, configure: { $0.runTimeScale = 0.01 }) { server, daemon in
            let before = try await interruptAndRecover(daemon, server, prefix: "polling", count: 3, stop: { await $0.killHard() }) {
                let ledger = await server.ledger()
                let ids = ledger.entries(for: .submit).compactMap(\.requestID)
                return ids.count == 3 && ids.allSatisfy { ledger.polls(forRequestID: $0) >= 2 }
            }
            let after = await server.ledger()
            for id in before.entries(for: .submit).compactMap(\.requestID) {
                #expect(after.polls(forRequestID: id) > before.polls(forRequestID: id), "request \(id) was not polled after the restart")
            }
        }
    }

    @Test("kill -9 while the outputs are being fetched: the restart fetches them again and delivers all of them, paid once")
    func killWhileDelivering() async throws {
        try await withDaemon { server, daemon in
            // Slow downloads, so the daemon is caught with part of the outputs fetched.
            await server.inject(EmulatorFault(endpoint: .output, kind: .delay(.milliseconds(400)), count: 10))
            let sidecar = #"{"model":"pulid-base","prompt":"a portrait","number_of_images":10,"output_format":"png","width":512,"height":512}"#
            let job = try daemon.dropJob("many", sidecar: sidecar)
            try await daemon.waitFor("part of the outputs fetched", every: .milliseconds(10)) {
                await server.ledger().entries(for: .output).count >= 3
            }
            await daemon.killHard()
            #expect(daemon.jobs(.done).isEmpty, "the job was meant to be still downloading")
            try await daemon.start()
            try await daemon.waitFor("the job to end after the restart") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try await Task.sleep(for: .milliseconds(500))
            daemon.expectEachEndedOnce(["many"])
            let requestID = try daemon.expectDone(job, model: "pulid-base")
            #expect(try daemon.record(.done, "many")["outputs"]?.arrayValue?.count == 10)
            let ledger = await server.ledger()
            #expect(ledger.submits == 1)
            if let requestID { #expect(ledger.submits(forRequestID: requestID) == 1) }
            // The outputs fetched before the kill were in memory only: all ten are fetched again.
            #expect(ledger.entries(for: .output).count >= 13, "outputs fetched: \(ledger.entries(for: .output).count)")
            try await daemon.waitFor("the claimed files and temporary files to go") { daemon.inboxFiles().isEmpty && daemon.leftovers().isEmpty }
            await daemon.expectClean()
        }
    }

    @Test("A job killed once its outputs are journaled as spooled, before any file of them is written, fetches them again, and done/ gets them whole")
    func killedOnceJournaledAsSpooled() async throws {
        try await withDaemon(startDaemon: false) { server, daemon in
            daemon.environment["FACEDROP_CRASH_POINT"] = "spool.journaled"
            try await daemon.start()
            let job = try daemon.dropJob("lost", sidecar: Self.fluxSidecar)
            let killed = await daemon.waitForExit(within: .seconds(30))
            #expect(killed?.signalled == true, "the crash point was not reached: \(String(describing: killed))")
            daemon.environment["FACEDROP_CRASH_POINT"] = nil
            // The outputs go from memory to the outbox: the spool holds them only once the outbox refused them, so
            // the journal's "spooled" has nothing behind it here, as after a power loss took unflushed files.
            let spooled = DaemonHarness.regularFiles(under: "\(daemon.state)/spool")
            #expect(spooled.isEmpty, "spool: \(spooled)")
            #expect(daemon.jobs(.done).isEmpty)
            try await daemon.start()
            try await expectRecovered(daemon, server, jobs: [job])
            #expect(daemon.jobs(.done) == ["lost"], daemon.failureSummary)
            #expect(await server.ledger().entries(for: .output).count == 2, "the output was not fetched again")
        }
    }
}
