import FacedropTestSupport
import Foundation
import SegmindEmulator
import StrictJSON
import Testing

/// Takeover on a shared inbox: a host that dies (SIGKILL for good) or hangs (SIGSTOP past `takeover_after`) has its
/// claims adopted by another host, which finishes each job without sending it again; a host that comes back after
/// its claims were adopted stands down. Leases every second, takeover after 3 s.
extension DaemonEndToEndTests {
    static let hostsForTakeover = ["lease_interval = 1", "takeover_after = 3"]

    /// flux-pulid runs 8 s here: long enough to kill a host while its jobs are at Segmind.
    static var slowFlux: EmulatorConfiguration {
        var emulator = EmulatorConfiguration(timeScale: 0.01)
        emulator.runSeconds = ["flux-pulid": 800]
        return emulator
    }

    /// Where the two hosts of a takeover scenario see their shared inbox and outbox: one local folder each, or each
    /// host its own mount of one network share.
    struct TakeoverInboxes {
        /// The first host's inbox; nil keeps the harness's own folder.
        var first: String?
        /// The second host's view of the same inbox; nil is the first host's path.
        var second: String?
        /// The first host's outbox, and the second host's view of it; nil keeps the first host's own folder for both.
        var outboxes: (first: String, second: String)?
        /// More `[[inbox]]` lines for both hosts, beside `shared = true`.
        var lines: [String] = []
        /// Where the figure lines say the scenario ran ("" for a local folder).
        var label = ""

        static let local = TakeoverInboxes()

        /// The first host's settings: its inbox, shared, and leases every second with takeover after 3 s.
        func configureFirst(_ settings: inout DaemonSettings) {
            if let first { settings.inboxes[0].path = first }
            if let outboxes { settings.inboxes[0].outbox = outboxes.first }
            settings.inboxes[0].extraLines += ["shared = true"] + lines
            settings.hosts = DaemonEndToEndTests.hostsForTakeover
        }
    }

    /// A second host on `first`'s shared inbox (its own view of it, from `inboxes`) and outbox, with a state folder
    /// of its own.
    func secondHost(of first: DaemonHarness, on inboxes: TakeoverInboxes = .local, maxInFlight: Int = 8) throws -> DaemonHarness {
        try DaemonHarness(baseURL: URL(string: first.settings.baseURL)!) {
            $0.maxInFlight = maxInFlight
            $0.inboxes[0].path = inboxes.second ?? first.inbox
            $0.inboxes[0].outbox = inboxes.outboxes?.second ?? first.outbox
            $0.inboxes[0].extraLines += ["shared = true"] + inboxes.lines
            $0.hosts = Self.hostsForTakeover
        }
    }

    /// How many submits the emulator saw for each job, by the name in its prompt.
    func submitsByName(_ server: EmulatorServer) async -> [String: Int] {
        var counts: [String: Int] = [:]
        for name in await submittedNames(server) { counts[name, default: 0] += 1 }
        return counts
    }

    /// Every job ended once (done or failed) in the shared outbox, none was sent twice, and every done one once.
    func expectEachOnce(_ names: [String], _ outbox: DaemonHarness, _ server: EmulatorServer) async {
        outbox.expectEachEndedOnce(names)
        let submits = await submitsByName(server)
        #expect(submits.filter { $0.value > 1 }.isEmpty, "sent more than once: \(submits)")
        for name in outbox.jobs(.done) { #expect(submits[name] == 1, "\(name) done without exactly one submit: \(submits)") }
    }

    @Test(
        "a host killed for good mid-run: a second host adopts its claims after takeover_after, polls the sent jobs with their request IDs, sends the unsent ones; a restart of the dead host stands down"
    )
    func takeoverAfterKill() async throws {
        try await expectTakeoverAfterKill(on: .local)
    }

    @Test("a host hung (SIGSTOP) past takeover_after: the other adopts and finishes its jobs; when it wakes (SIGCONT) it stands down, delivering nothing twice")
    func takeoverAfterHang() async throws {
        try await expectTakeoverAfterHang(on: .local)
    }

    /// Six jobs dropped on the first host, which is killed (SIGKILL) once two are at Segmind; a second host started
    /// then adopts all six and finishes them, each sent once; the dead host restarted stands down on each.
    func expectTakeoverAfterKill(on inboxes: TakeoverInboxes) async throws {
        try await withDaemon(
            emulator: Self.slowFlux,
            configure: {
                $0.maxInFlight = 2
                inboxes.configureFirst(&$0)
            }
        ) { server, first in
            let names = (1...6).map { "kill-\($0)" }
            for name in names { _ = try first.dropJob(name, sidecar: Self.namedSidecar(name)) }
            // Killed once it has claimed all six and both jobs it sent have their request IDs in their claims (the
            // receipts), so that every job the second host adopts was either sent with a known request ID or never sent.
            // On a network share the drops take long enough to be written that the first two can be sent before the
            // last are claimed, and a kill between a POST and its receipt leaves a job the adopter must fail as an
            // unknown outcome.
            try await first.waitFor("six jobs claimed, two at Segmind with their request IDs in the claims", timeout: .seconds(30)) {
                first.occurrences(of: " info claimed inbox=") >= names.count
                    && claimFolders(first).filter { FileManager.default.fileExists(atPath: "\($0)/receipts/submitted.json") }.count >= 2
            }
            await first.killHard()
            let killed = ContinuousClock.now
            let sentByTheDead = Set(await submittedNames(server))

            let second = try secondHost(of: first, on: inboxes)
            try await second.start()
            try await first.waitFor("the first adoption", timeout: .seconds(30), every: .milliseconds(20)) {
                second.occurrences(of: "adopted the claim of a dead host") >= 1
            }
            let adoptedAfter = ContinuousClock.now - killed
            // takeover_after (3 s) plus up to a lease interval (1 s) and the share's whole-second times.
            #expect(adoptedAfter < .seconds(8), "adopted \(adoptedAfter) after the kill")
            try await first.waitFor("every job done by the second host", timeout: .seconds(90)) {
                first.jobs(.done).count + first.jobs(.failed).count >= names.count
            }
            let allDone = ContinuousClock.now - killed
            await expectEachOnce(names, first, server)
            #expect(first.jobs(.failed).isEmpty, first.failureSummary)
            #expect(second.occurrences(of: "adopted the claim of a dead host") == names.count)
            // The ones the dead host had sent were polled with their request IDs, not sent again.
            #expect(sentByTheDead.count >= 2 && sentByTheDead.isSubset(of: Set(names)))
            print(
                "facedrop takeover\(inboxes.label): lease_interval 1 s, takeover_after 3 s; the first claim adopted \(adoptedAfter) after the kill, the dead host's \(names.count) jobs (\(sentByTheDead.count) sent) all done \(allDone) after it"
            )

            // The dead host comes back: its journal still has the jobs; it finds their claims adopted and stands down.
            let restarted = ContinuousClock.now
            try await first.start()
            try await first.waitFor("the restarted host to stand down", timeout: .seconds(30)) {
                first.occurrences(of: "another host adopted this job's claim") >= names.count
            }
            let stoodDown = ContinuousClock.now - restarted
            print("facedrop takeover\(inboxes.label): the restarted host stood down on all \(names.count) jobs \(stoodDown) after its restart")
            #expect(try await first.status()["jobs"]?["takenOver"]?.int64Value == Int64(names.count))
            await expectEachOnce(names, first, server)
            await second.stop()
            await first.expectClean()
        }
    }

    @Test("three hosts: one killed mid-run; the two others race to adopt its claims, and each claim is adopted by exactly one of them")
    func takeoverRaceOfTwoAdopters() async throws {
        try await withDaemon(
            emulator: Self.slowFlux,
            configure: {
                $0.maxInFlight = 3
                $0.inboxes[0].extraLines.append("shared = true")
                $0.hosts = Self.hostsForTakeover
            }
        ) { server, first in
            let names = (1...8).map { "race-\($0)" }
            for name in names { _ = try first.dropJob(name, sidecar: Self.namedSidecar(name)) }
            try await first.waitFor("all claimed, three at Segmind with their request IDs", timeout: .seconds(30)) {
                first.occurrences(of: " info claimed inbox=") == names.count
                    && claimFolders(first).filter { FileManager.default.fileExists(atPath: "\($0)/receipts/submitted.json") }.count >= 3
            }
            await first.killHard()
            let second = try secondHost(of: first)
            let third = try secondHost(of: first)
            try await second.start()
            try await third.start()
            try await first.waitFor("every job done by the two others", timeout: .seconds(90)) {
                first.jobs(.done).count + first.jobs(.failed).count >= names.count
            }
            let bySecond = second.occurrences(of: "adopted the claim of a dead host")
            let byThird = third.occurrences(of: "adopted the claim of a dead host")
            #expect(bySecond + byThird == names.count, "adopted by the second \(bySecond), by the third \(byThird)")
            print("facedrop takeover race: \(names.count) claims of a dead host, adopted \(bySecond) by one host and \(byThird) by the other")
            await expectEachOnce(names, first, server)
            #expect(first.jobs(.failed).isEmpty, first.failureSummary)
            await second.stop()
            await third.stop()
            await first.expectClean()
        }
    }

    /// A shared-inbox host that kills itself at `crashPoint` while it runs the job `name`; `body` goes on from there.
    func withHostKilledAt(
        _ crashPoint: String,
        running name: String,
        _ body: (EmulatorServer, DaemonHarness) async throws -> Void
    ) async throws {
        try await withDaemon(
            startDaemon: false,
            configure: {
                $0.inboxes[0].extraLines.append("shared = true")
                $0.hosts = Self.hostsForTakeover
            }
        ) { server, first in
            first.environment["FACEDROP_CRASH_POINT"] = crashPoint
            try await first.start()
            _ = try first.dropJob(name, sidecar: Self.namedSidecar(name))
            let killed = await first.waitForExit(within: .seconds(30))
            #expect(killed?.signalled == true, "the crash point was not reached: \(String(describing: killed))")
            first.environment["FACEDROP_CRASH_POINT"] = nil
            try await body(server, first)
        }
    }

    @Test("a host killed between its POST and the receipt of the request ID: the adopter fails the job as outcome_unknown, never sending it again")
    func takeoverOfAnUnknownOutcome() async throws {
        try await withHostKilledAt("submit.answered", running: "unknown") { server, first in
            let second = try secondHost(of: first)
            try await second.start()
            try await first.waitFor("the job failed by the second host", timeout: .seconds(30)) { first.jobs(.failed) == ["unknown"] }
            let record = try first.record(.failed, "unknown")
            #expect(record["code"]?.stringValue == "outcome_unknown")
            #expect(record["message"]?.stringValue?.contains("stopped renewing its lease") == true, "\(record)")
            #expect(await submitsByName(server) == ["unknown": 1])
            await second.stop()
            await first.expectClean()
        }
    }

    @Test(
        "a host killed after it published the job's folder, before (deliver.published) or after (deliver.receipted) the receipt of it: the adopter finishes the job without a second folder or submit; the dead host, restarted, stands down",
        arguments: ["deliver.published", "deliver.receipted"]
    )
    func takeoverOfAFinishedJob(crashPoint: String) async throws {
        try await withHostKilledAt(crashPoint, running: "finished") { server, first in
            #expect(first.jobs(.done) == ["finished"])
            let second = try secondHost(of: first)
            try await second.start()
            try await first.waitFor("the claim adopted and finished", timeout: .seconds(30)) {
                second.occurrences(of: "adopted the claim of a dead host") == 1 && claimFolders(first).isEmpty
            }
            #expect(first.jobs(.done) == ["finished"], "a second folder was published")
            #expect(first.jobs(.failed).isEmpty, first.failureSummary)
            #expect(await submitsByName(server) == ["finished": 1])
            await second.stop()
            try await first.start()
            try await first.waitFor("the restarted host to stand down", timeout: .seconds(30)) {
                first.occurrences(of: "another host adopted this job's claim") == 1
            }
            #expect(first.jobs(.done) == ["finished"])
            await first.stop()
            await first.expectClean()
        }
    }

    /// Two hosts share eight jobs; the first hangs (SIGSTOP) once it has sent one; the second adopts its claims
    /// and finishes every job; woken (SIGCONT), the first stands down on each adopted one, delivering nothing.
    func expectTakeoverAfterHang(on inboxes: TakeoverInboxes) async throws {
        try await withDaemon(emulator: Self.slowFlux, configure: { inboxes.configureFirst(&$0) }) { server, first in
            let names = (1...8).map { "hang-\($0)" }
            let (ours, theirs) = (Array(names.prefix(4)), Array(names.dropFirst(4)))
            // The first host gets four jobs of its own before the second starts (two hosts told of the same drops race
            // for them, and either may win them all); the second then gets four through its own view of the inbox.
            for name in ours { _ = try first.dropJob(name, sidecar: Self.namedSidecar(name)) }
            try await first.waitFor("the first host's jobs claimed, one at Segmind", timeout: .seconds(30)) {
                first.occurrences(of: " info claimed inbox=") >= ours.count && first.occurrences(of: " info submitted ") >= 1
            }
            let second = try secondHost(of: first, on: inboxes)
            try await second.start()
            for name in theirs { _ = try second.dropJob(name, sidecar: Self.namedSidecar(name)) }
            // Hung once every job is claimed (and journaled: logged after), so that it hangs holding whole claims; on a
            // network share claiming takes long enough that a host hung in the middle of it leaves a claim it has
            // not journaled, which the other adopts but the woken host cannot stand down on.
            try await first.waitFor("every job claimed", timeout: .seconds(30)) {
                first.occurrences(of: " info claimed inbox=") + second.occurrences(of: " info claimed inbox=") >= names.count
            }
            first.suspend()
            let suspended = ContinuousClock.now
            try await first.waitFor("every job done by the second host", timeout: .seconds(90)) {
                first.jobs(.done).count + first.jobs(.failed).count >= names.count
            }
            let allEnded = ContinuousClock.now - suspended
            let adopted = second.occurrences(of: "adopted the claim of a dead host")
            #expect(adopted >= 1)
            first.resume()
            let woken = ContinuousClock.now
            try await first.waitFor("the woken host to stand down on every adopted job", timeout: .seconds(30)) {
                try await first.status()["jobs"]?["takenOver"]?.int64Value == Int64(adopted)
            }
            print(
                "facedrop takeover\(inboxes.label): hung host's \(adopted) of \(names.count) jobs adopted, all \(names.count) ended \(allEnded) after the SIGSTOP; stood down \(ContinuousClock.now - woken) after the SIGCONT"
            )
            // Time for anything it might still wrongly do.
            try await Task.sleep(for: .seconds(3))
            await expectEachOnce(names, first, server)
            // A job whose submit was in flight when the host hung, its request ID not in the claim yet, may have been
            // billed: it fails as an unknown outcome, never sent again. Nothing else fails.
            for name in first.jobs(.failed) {
                let record = try first.record(.failed, name)
                #expect(record["code"]?.stringValue == "outcome_unknown", "\(record)")
                #expect(record["message"]?.stringValue?.contains("stopped renewing its lease") == true, "\(record)")
            }
            await first.stop()
            await second.stop()
            await first.expectClean()
        }
    }
}
