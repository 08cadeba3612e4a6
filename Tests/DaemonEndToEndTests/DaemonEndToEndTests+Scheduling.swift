import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// The order jobs are sent in and how long one may wait on Segmind.
extension DaemonEndToEndTests {
    @Test("with one slot, waiting jobs are submitted by the sidecar's facedrop priority, highest first")
    func priorityOrder() async throws {
        // flux-pulid runs 13.1 s × 0.1: the first job holds the only slot while the others are claimed.
        try await withDaemon(
            emulator: EmulatorConfiguration(timeScale: 0.1),
            configure: {
                $0.maxInFlight = 1
                $0.runTimeScale = 0.1
            }
        ) { server, daemon in
            try daemon.dropJob("first", sidecar: #"{"model":"flux-pulid","prompt":"a portrait"}"#)
            try await daemon.waitFor("the first submit") { await server.ledger().submits == 1 }
            try daemon.dropJob("low", sidecar: #"{"model":"flux-pulid","prompt":"a portrait","facedrop":{"priority":-5}}"#)
            try daemon.dropJob("plain", sidecar: #"{"model":"flux-pulid","prompt":"a portrait"}"#)
            try daemon.dropJob("high", sidecar: #"{"model":"flux-pulid","prompt":"a portrait","facedrop":{"priority":10}}"#)
            try await daemon.waitFor("all four in done/", timeout: .seconds(60)) { daemon.jobs(.done).count == 4 }
            daemon.expectEachEndedOnce(["first", "high", "low", "plain"])

            var jobByRequest: [String: String] = [:]
            for job in ["first", "high", "low", "plain"] {
                if let id = try daemon.record(.done, job)["request_id"]?.stringValue { jobByRequest[id] = job }
            }
            let order = await server.ledger().entries(for: .submit).compactMap { $0.requestID.flatMap { jobByRequest[$0] } }
            #expect(order == ["first", "high", "plain", "low"])
            // The facedrop object is an instruction to the daemon, never sent to Segmind.
            #expect(try daemon.record(.done, "high")["parameters"]?["facedrop"] == nil)
        }
    }

    @Test("a job still running at its deadline fails as timeout, with its request id, and is not submitted again")
    func deadline() async throws {
        // pulid-base runs 70.7 s at the emulator's real pace; the daemon gives each job 2 s.
        try await withDaemon(
            emulator: EmulatorConfiguration(timeScale: 1),
            configure: {
                $0.jobDeadline = 2
                $0.runTimeScale = 0.01
            }
        ) { server, daemon in
            try daemon.dropJob("slow", sidecar: #"{"model":"pulid-base","prompt":"a portrait"}"#)
            try await daemon.waitFor("the job in failed/", timeout: .seconds(40)) { !daemon.jobs(.failed).isEmpty }
            daemon.expectEachEndedOnce(["slow"])
            let record = try daemon.expectFailed("slow", code: "timeout", dropped: ["slow.jpg", "slow.json"])
            #expect(record["stage"]?.stringValue == "poll")
            let ledger = await server.ledger()
            #expect(ledger.submits == 1)
            #expect(record["request_id"]?.stringValue == ledger.entries(for: .submit).first?.requestID)
            #expect(record["hint"]?.stringValue?.isEmpty == false)
        }
    }
}

extension DaemonEndToEndTests {
    @Test("two daemons with their own state folders on one shared inbox never take the same job")
    func twoDaemonsOneInbox() async throws {
        let count = 60
        try await withDaemon(configure: { $0.maxInFlight = 4 }) { server, first in
            let second = try DaemonHarness(baseURL: URL(string: first.settings.baseURL)!) {
                $0.maxInFlight = 4
                $0.inboxes[0].path = first.inbox
                $0.inboxes[0].outbox = first.outbox
            }
            try await second.start()
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            for index in 1...count {
                try first.drop(face, as: "shared\(index).jpg")
                try first.drop(Array(#"{"model":"flux-pulid","prompt":"a portrait"}"#.utf8), as: "shared\(index).json")
            }
            try await first.waitFor("every job in done/", timeout: .seconds(120)) {
                first.jobs(.done).count + first.jobs(.failed).count >= count
            }
            await second.stop()
            first.expectEachEndedOnce((1...count).map { "shared\($0)" })
            #expect(await server.ledger().submits == count)
            // Both took a share, so the race for each claim was real.
            #expect(first.occurrences(of: " info claimed inbox=") > 0)
            #expect(second.occurrences(of: " info claimed inbox=") > 0)
            #expect(first.occurrences(of: " info claimed inbox=") + second.occurrences(of: " info claimed inbox=") == count)
        }
    }
}
