import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// Drops that fail: each lands in failed/ with its inputs, a stable code and a hint, and is paid for at
/// most once.
extension DaemonEndToEndTests {
    @Test("bad sidecars, non-images, orphans and FAILED generations land in failed/ with their code, inputs and a hint")
    func failureCodes() async throws {
        try await withDaemon(configure: { $0.inboxes[0].orphanAfter = 3 }) { server, daemon in
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            try daemon.drop(face, as: "broken.jpg")
            try daemon.drop(Array(#"{"model": "flux-pulid", "prompt": "#.utf8), as: "broken.json")
            try daemon.drop(face, as: "wide.jpg")
            try daemon.drop(Array(#"{"model":"flux-pulid","prompt":"a portrait","width":99999,"num_steps":0}"#.utf8), as: "wide.json")
            try daemon.drop(Array("<html>not a photo</html>".utf8), as: "fake.jpg")
            try daemon.drop(Array(#"{"model":"flux-pulid","prompt":"a portrait"}"#.utf8), as: "fake.json")
            try daemon.drop(face, as: "lonely.jpg")
            try daemon.dropJob("blocked", sidecar: #"{"model":"instantid","prompt":"emulator:fail please"}"#)

            try await daemon.waitFor("five jobs in failed/") { daemon.jobs(.failed).count + daemon.jobs(.done).count >= 5 }
            daemon.expectEachEndedOnce(["blocked", "broken", "fake", "lonely", "wide"])

            let broken = try daemon.expectFailed("broken", code: "invalid_sidecar", dropped: ["broken.jpg", "broken.json"])
            #expect(broken["stage"]?.stringValue == "validate")
            let wide = try daemon.expectFailed("wide", code: "invalid_sidecar", dropped: ["wide.jpg", "wide.json"])
            #expect((wide["problems"]?.arrayValue?.count ?? 0) >= 2, "\(wide.serializedString())")
            #expect(daemon.inputs(.failed, "wide")["wide.jpg"] == face)
            try daemon.expectFailed("fake", code: "invalid_input", dropped: ["fake.jpg", "fake.json"])
            try daemon.expectFailed("lonely", code: "orphan", dropped: ["lonely.jpg"])
            let blocked = try daemon.expectFailed("blocked", code: "failed", dropped: ["blocked.jpg", "blocked.json"])
            #expect(blocked["http_status"]?.intValue == 422)

            // Only the generation that Segmind itself failed was ever sent.
            let ledger = await server.ledger()
            #expect(ledger.submits == 1, "\(ledger.entries(for: .submit).map { $0.model ?? "?" })")
            #expect(ledger.entries(for: .submit).allSatisfy { $0.model == "instantid" })
            #expect(blocked["request_id"]?.stringValue == ledger.entries(for: .submit).first?.requestID)
            try await daemon.waitFor("the inbox to empty") { daemon.inboxFiles().isEmpty }
            await daemon.expectClean()
        }
    }

    @Test("a wrong API key fails the job as unauthorized")
    func unauthorized() async throws {
        try await withDaemon(startDaemon: false) { server, daemon in
            daemon.apiKey = "not-the-emulator-key"
            try await daemon.start()
            try daemon.dropJob("nokey", sidecar: #"{"model":"flux-pulid","prompt":"a portrait"}"#)
            try await daemon.waitFor("the job in failed/") { !daemon.jobs(.failed).isEmpty || !daemon.jobs(.done).isEmpty }
            daemon.expectEachEndedOnce(["nokey"])
            let record = try daemon.expectFailed("nokey", code: "unauthorized", dropped: ["nokey.jpg", "nokey.json"])
            #expect(record["http_status"]?.intValue == 401)
            #expect(!daemon.log.contains("not-the-emulator-key"), "the key was logged")
            #expect(!record.serializedString().contains("not-the-emulator-key"), "the key is in error.json")
            #expect(await server.ledger().billedSubmits == 0)
        }
    }

    @Test("a request Segmind forgets before it finishes fails as expired")
    func expired() async throws {
        var emulator = EmulatorConfiguration(timeScale: 0.01)
        emulator.recordTimeToLive = 1
        // instantid runs 5 s here (500 s before the time scale), but its record is forgotten 1 s after the
        // submit: the polls find it processing, then gone.
        emulator.runSeconds["instantid"] = 500
        try await withDaemon(emulator: emulator, configure: { $0.runTimeScale = 0.3 }) { server, daemon in
            try daemon.dropJob("late", sidecar: #"{"model":"instantid","prompt":"photo of a woman"}"#)
            try await daemon.waitFor("the job in failed/") { !daemon.jobs(.failed).isEmpty || !daemon.jobs(.done).isEmpty }
            daemon.expectEachEndedOnce(["late"])
            let record = try daemon.expectFailed("late", code: "expired", dropped: ["late.jpg", "late.json"])
            let ledger = await server.ledger()
            #expect(ledger.submits == 1)
            #expect(record["request_id"]?.stringValue == ledger.entries(for: .submit).first?.requestID)
        }
    }

    @Test("a submit whose answer is lost after billing is outcome_unknown: one billed submit, never repeated, not even after a restart")
    func outcomeUnknown() async throws {
        try await withDaemon { server, daemon in
            await server.inject(EmulatorFault(endpoint: .submit, kind: .dropConnectionAfterBilling))
            try daemon.dropJob("lost", sidecar: #"{"model":"flux-pulid","prompt":"a portrait"}"#)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.failed).isEmpty || !daemon.jobs(.done).isEmpty }
            let submits = await server.ledger().entries(for: .submit)
            #expect(submits.count == 1, "submits: \(submits.map { "\($0.status.map(String.init) ?? "dropped") billed=\($0.billed) fault=\($0.fault ?? "-")" })")
            #expect(daemon.jobs(.done).isEmpty, "a job whose submit answer was lost was submitted again and completed")
            if daemon.jobs(.failed) == ["lost"] {
                let record = try daemon.expectFailed("lost", code: "outcome_unknown", dropped: ["lost.jpg", "lost.json"])
                #expect(record["stage"]?.stringValue == "submit")
            }
            await daemon.stop()
            try await daemon.start()
            try await Task.sleep(for: .seconds(1))
            daemon.expectEachEndedOnce(["lost"])
            let ledger = await server.ledger()
            #expect(ledger.submits == 1)
            #expect(ledger.billedSubmits == 1)
            await daemon.expectClean()
        }
    }

    @Test("an output that is not a whole picture fails the job as invalid_output: one billed submit, no done/ folder, the dropped files returned")
    func invalidOutput() async throws {
        try await withDaemon { server, daemon in
            // The output's body is cut in half and padded with an error text, under a 200 and a matching length:
            // only a look at the picture's structure can tell.
            await server.inject(EmulatorFault(endpoint: .output, kind: .malformedBody))
            try daemon.dropJob("broken", sidecar: #"{"model":"flux-pulid","prompt":"a portrait"}"#)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.failed).isEmpty || !daemon.jobs(.done).isEmpty }
            daemon.expectEachEndedOnce(["broken"])
            let record = try daemon.expectFailed("broken", code: "invalid_output", dropped: ["broken.jpg", "broken.json"])
            #expect(record["stage"]?.stringValue == "download")
            let ledger = await server.ledger()
            #expect(ledger.billedSubmits == 1)
            #expect(ledger.entries(for: .output).contains { $0.fault != nil })
        }
    }
}
