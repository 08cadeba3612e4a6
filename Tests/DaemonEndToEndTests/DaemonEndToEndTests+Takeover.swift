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
            // Killed once it has claimed all six and both request IDs are in their claims' receipts (logged right
            // after). On a network share the drops take long enough to be written that the first two can be sent
            // before the last are claimed, and a kill between a POST and its receipt leaves a job the adopter must
            // fail as an unknown outcome.
            try await first.waitFor("six jobs claimed, two at Segmind with their request IDs in the claims", timeout: .seconds(30)) {
                let sent = await submittedNames(server).count
                return sent >= 2 && first.occurrences(of: " info submitted ") >= 2 && first.occurrences(of: " info claimed inbox=") >= names.count
            }
            await first.killHard()
            let killed = ContinuousClock.now
            let sentByTheDead = Set(await submittedNames(server))

            let second = try secondHost(of: first, on: inboxes)
            try await second.start()
            try await first.waitFor("every job done by the second host", timeout: .seconds(90)) {
                first.jobs(.done).count + first.jobs(.failed).count >= names.count
            }
            let allDone = ContinuousClock.now - killed
            await expectEachOnce(names, first, server)
            #expect(first.jobs(.failed).isEmpty, first.failureSummary)
            #expect(second.occurrences(of: "adopted the claim of a dead host") == names.count)
            // The ones the dead host had sent were polled with their request IDs, not sent again.
            #expect(sentByTheDead.count >= 2 && sentByTheDead.isSubset(of: Set(names)))
            let firstAdoption = second.log.components(separatedBy: "\n").first { $0.contains("adopted the claim of a dead host") } ?? ""
            print(
                "facedrop takeover\(inboxes.label): killed host's \(names.count) jobs all done by the second host \(allDone) after the kill; first adoption: \(firstAdoption.prefix(25))"
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
