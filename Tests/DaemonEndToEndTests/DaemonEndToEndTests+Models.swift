import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// Drops that succeed: every model, an optional sidecar, pose images, subfolders.
extension DaemonEndToEndTests {
    /// A sidecar for each model of the catalog, asking for small outputs of several formats and counts.
    static let modelSidecars: [String: String] = [
        "pulid-base": #"{"prompt":"a portrait","number_of_images":2,"output_format":"webp","width":384,"height":384}"#,
        "flux-pulid": #"{"prompt":"portrait, neon","width":256,"height":320,"output_format":"png","num_outputs":2}"#,
        "consistent-character-with-pose": #"{"prompt":"standing","custom_width":256,"custom_height":256}"#,
        "pulid-lightning": #"{"prompt":"a person","output_format":"jpg","width":256,"height":256}"#,
        "instantid": #"{"prompt":"photo of a woman","samples":1}"#,
    ]
    /// The models that get a `<stem>.pose.jpg` (required by one, optional for the other).
    static let poseModels: Set<String> = ["consistent-character-with-pose", "instantid"]

    @Test("each of the five models goes from drop to done/ with images traced to the dropped face, submitted once")
    func everyModel() async throws {
        try await withDaemon { server, daemon in
            var dropped: [(job: DroppedJob, model: String, pose: Bool)] = []
            for (model, sidecar) in Self.modelSidecars.sorted(by: { $0.key < $1.key }) {
                let pose = Self.poseModels.contains(model)
                let named = "{\"model\":\"\(model)\"," + sidecar.dropFirst()
                dropped.append((try daemon.dropJob(model, sidecar: named, pose: pose ? Fixtures.poseJPEG : nil), model, pose))
            }
            try await daemon.waitFor("five jobs in done/") { daemon.jobs(.done).count + daemon.jobs(.failed).count >= 5 }
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            daemon.expectEachEndedOnce(dropped.map(\.job.outboxPath))
            let ledger = await server.ledger()
            for (job, model, pose) in dropped {
                let requestID = try daemon.expectDone(job, model: model, pose: pose ? try Fixtures.bytes(Fixtures.poseJPEG) : nil)
                if let requestID { #expect(ledger.submits(forRequestID: requestID) == 1, "\(model)") }
                #expect(ledger.entries(for: .submit).filter { $0.model == model }.count == 1, "submits of \(model)")
            }
            #expect(try daemon.record(.done, "pulid-base")["outputs"]?.arrayValue?.count == 2)
            #expect(try daemon.record(.done, "flux-pulid")["outputs"]?.arrayValue?.count == 2)
            #expect(ledger.submits == 5)
            #expect(ledger.billedSubmits == 5)
            try await daemon.waitFor("the claimed files to be removed") { daemon.inboxFiles().isEmpty && daemon.leftovers().isEmpty }
            await daemon.expectClean()
        }
    }

    @Test("an inbox with sidecar = optional takes a face alone, with the inbox defaults")
    func optionalSidecar() async throws {
        try await withDaemon(configure: { settings in
            settings.inboxes[0].sidecar = "optional"
            settings.inboxes[0].model = "flux-pulid"
            settings.inboxes[0].defaults = ["prompt": "a portrait from the defaults"]
        }) { server, daemon in
            let job = try daemon.dropJob("alone", sidecar: nil)
            try await daemon.waitFor("the lone face in done/") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            #expect(daemon.jobs(.failed).isEmpty)
            try daemon.expectDone(job, model: "flux-pulid")
            let record = try daemon.record(.done, "alone")
            #expect(record["parameters"]?["prompt"]?.stringValue == "a portrait from the defaults")
            let ledger = await server.ledger()
            #expect(ledger.submits == 1)
            await daemon.expectClean()
        }
    }

    @Test("a pose image arrives as <stem>.pose.jpg or by the sidecar's pose_image")
    func poseImages() async throws {
        try await withDaemon { server, daemon in
            let pose = try Fixtures.bytes(Fixtures.poseJPEG)
            let sidecar = #"{"model":"consistent-character-with-pose","prompt":"standing","custom_width":256,"custom_height":256}"#
            let byName = try daemon.dropJob("by-name", sidecar: sidecar, pose: Fixtures.poseJPEG)

            var bySidecar = DroppedJob(subfolder: "", stem: "by-sidecar", face: "by-sidecar.jpg")
            bySidecar.files["by-sidecar.jpg"] = try Fixtures.bytes(Fixtures.faceJPEG)
            bySidecar.files["camera-pose.jpg"] = pose
            bySidecar.files["by-sidecar.json"] = Array(
                #"{"model":"consistent-character-with-pose","prompt":"standing","custom_width":256,"custom_height":256,"pose_image":"camera-pose.jpg"}"#.utf8
            )
            for name in ["camera-pose.jpg", "by-sidecar.jpg", "by-sidecar.json"] {
                try daemon.drop(bySidecar.files[name]!, as: name)
            }

            try await daemon.waitFor("both pose jobs to end") { daemon.jobs(.done).count + daemon.jobs(.failed).count >= 2 }
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            daemon.expectEachEndedOnce(["by-name", "by-sidecar"])
            try daemon.expectDone(byName, model: "consistent-character-with-pose", pose: pose)
            try daemon.expectDone(bySidecar, model: "consistent-character-with-pose", pose: pose)
            #expect(await server.ledger().submits == 2)
            try await daemon.waitFor("the inbox to empty") { daemon.inboxFiles().isEmpty }
            await daemon.expectClean()
        }
    }

    @Test("jobs in subfolders, also in one created after the start, end in done/<subpath>/<stem>/")
    func subfolders() async throws {
        let sidecar = #"{"model":"instantid","prompt":"photo of a woman"}"#
        try await withDaemon(startDaemon: false) { server, daemon in
            try FileManager.default.createDirectory(atPath: daemon.inboxPath("a/b"), withIntermediateDirectories: true)
            try await daemon.start()
            let nested = try daemon.dropJob("x", sidecar: sidecar, in: "a/b")
            try FileManager.default.createDirectory(atPath: daemon.inboxPath("later/deeper/still"), withIntermediateDirectories: true)
            let late = try daemon.dropJob("y", sidecar: sidecar, in: "later/deeper/still")
            try await daemon.waitFor("both nested jobs in done/") { daemon.jobs(.done).count + daemon.jobs(.failed).count >= 2 }
            daemon.expectEachEndedOnce(["a/b/x", "later/deeper/still/y"])
            try daemon.expectDone(nested, model: "instantid")
            try daemon.expectDone(late, model: "instantid")
            #expect(await server.ledger().submits == 2)
            try await daemon.waitFor("the inbox to empty") { daemon.inboxFiles().isEmpty }
            await daemon.expectClean()
        }
    }
}
