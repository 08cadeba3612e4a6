import FacedropTestSupport
import Foundation
import SegmindEmulator
import StrictJSON
import Testing

/// Variations: one face and a sidecar asking for several prompts or seeds become that many jobs, each its own
/// folder, with reproducible seeds; the original drop is kept in `expanded/`.
extension DaemonEndToEndTests {
    @Test("a list of variations: one job per entry, each with its prompt and a seed, the original kept in expanded/")
    func variationsList() async throws {
        try await withDaemon { server, daemon in
            let sidecar =
                #"{"model":"flux-pulid","prompt":"portrait of base","width":256,"height":256,"output_format":"jpg","#
                + #""facedrop":{"variations":[{"prompt":"portrait of beach"},{"prompt":"portrait of snow","seed":7}]}}"#
            let dropped = try daemon.dropJob("lisa", sidecar: sidecar)
            try await daemon.waitFor("two jobs done", timeout: .seconds(30)) { daemon.jobs(.done).count == 2 }
            #expect(daemon.jobs(.done) == ["lisa-v1", "lisa-v2"])
            #expect(await submittedNames(server) == ["beach", "snow"])
            let first = try daemon.record(.done, "lisa-v1")
            let second = try daemon.record(.done, "lisa-v2")
            #expect(second["parameters"]?["seed"]?.intValue == 7)
            #expect(first["parameters"]?["seed"]?.intValue != nil)
            #expect(daemon.inputs(.done, "lisa-v1")["lisa-v1.jpg"] == dropped.files["lisa.jpg"], "each job has the face as dropped")
            let kept = "\(daemon.outbox)/expanded/lisa"
            let record = try DaemonHarness.readJSON("\(kept)/expanded.json")
            #expect(record["jobs"]?.arrayValue?.compactMap(\.stringValue) == ["lisa-v1", "lisa-v2"])
            #expect(FileManager.default.contents(atPath: "\(kept)/input/lisa.json").map { [UInt8]($0) } == dropped.files["lisa.json"])
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            await daemon.expectClean()
        }
    }

    @Test("a count of variations: seeds run on from the sidecar's; facedrop check prints the jobs and their total cost")
    func variationsCount() async throws {
        try await withDaemon { server, daemon in
            let sidecar = #"{"model":"flux-pulid","prompt":"a portrait","seed":500,"width":256,"height":256,"facedrop":{"variations":3}}"#
            let path = daemon.folder.appending("check-me.json")
            try Data(sidecar.utf8).write(to: URL(fileURLWithPath: path))
            let (check, text) = try await daemon.runCommand(["check", "--config", daemon.configPath, path])
            #expect(check.status == 0, "\(text)")
            #expect(text.contains("[check-me-v3]: ok"), "\(text)")
            #expect(text.contains("3 jobs, estimated cost in all: 0.108"), "\(text)")
            try daemon.dropJob("anna", sidecar: sidecar)
            try await daemon.waitFor("three jobs done", timeout: .seconds(30)) { daemon.jobs(.done).count == 3 }
            let seeds = try daemon.jobs(.done).map { try daemon.record(.done, $0)["parameters"]?["seed"]?.intValue }
            #expect(seeds == [500, 501, 502])
            #expect(await server.ledger().billedSubmits == 3)
            await daemon.expectClean()
        }
    }

    @Test("variations that cannot be expanded fail the drop with the reason, nothing sent")
    func variationsRefused() async throws {
        try await withDaemon { server, daemon in
            try daemon.dropJob("bad", sidecar: #"{"model":"flux-pulid","prompt":"a","facedrop":{"variations":"many"}}"#)
            try await daemon.waitFor("the drop failed") { daemon.jobs(.failed) == ["bad"] }
            let record = try daemon.record(.failed, "bad")
            #expect(record["code"]?.stringValue == "invalid_sidecar")
            #expect(record["message"]?.stringValue?.contains("variations must be a count") == true, "\(record)")
            #expect(await server.ledger().billedSubmits == 0)
        }
    }
}
