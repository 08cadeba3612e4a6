import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import Testing

/// The ways real producers put files into an inbox: each must make exactly one job from complete files.
extension DaemonEndToEndTests {
    static let instantSidecar = #"{"model":"instantid","prompt":"photo of a woman"}"#

    @Test("a face written in ten chunks 200 ms apart becomes one job with the whole face")
    func slowChunkedWrite() async throws {
        try await withDaemon(configure: { $0.inboxes[0].settle = 0.5 }) { server, daemon in
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            try daemon.drop(Array(Self.instantSidecar.utf8), as: "slow.json")
            try await daemon.writeSlowly(face, as: "slow.jpg", chunks: 10, pause: .milliseconds(200))
            try await daemon.waitFor("the slow job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try await Task.sleep(for: .milliseconds(500))
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            daemon.expectEachEndedOnce(["slow"])
            var job = DroppedJob(subfolder: "", stem: "slow", face: "slow.jpg")
            job.files = ["slow.jpg": face, "slow.json": Array(Self.instantSidecar.utf8)]
            try daemon.expectDone(job, model: "instantid")
            #expect(await server.ledger().submits == 1)
            daemon.expectClean()
        }
    }

    @Test("a face written as x.jpg.part and renamed, and one hard-linked into place, each make one job")
    func renameAndHardLink() async throws {
        try await withDaemon { server, daemon in
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            let sidecar = Array(Self.instantSidecar.utf8)
            try daemon.drop(sidecar, as: "renamed.json")
            try await daemon.writeThenRename(face, as: "renamed.jpg")
            try daemon.drop(sidecar, as: "linked.json")
            try daemon.hardLink(face, as: "linked.jpg")
            try await daemon.waitFor("both jobs to end") { daemon.jobs(.done).count + daemon.jobs(.failed).count >= 2 }
            try await Task.sleep(for: .milliseconds(500))
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            daemon.expectEachEndedOnce(["linked", "renamed"])
            for stem in ["linked", "renamed"] {
                var job = DroppedJob(subfolder: "", stem: stem, face: "\(stem).jpg")
                job.files = ["\(stem).jpg": face, "\(stem).json": sidecar]
                try daemon.expectDone(job, model: "instantid")
            }
            #expect(await server.ledger().submits == 2)
            daemon.expectClean()
        }
    }

    @Test("a sidecar arriving seconds after its face (within orphan_after) makes one job")
    func lateSidecar() async throws {
        try await withDaemon(configure: { $0.inboxes[0].orphanAfter = 10 }) { server, daemon in
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            try daemon.drop(face, as: "patient.jpg")
            try await Task.sleep(for: .seconds(4))
            #expect(daemon.jobs(.done).isEmpty && daemon.jobs(.failed).isEmpty, "the face was taken without its sidecar")
            #expect(await server.ledger().submits == 0)
            try daemon.drop(Array(Self.instantSidecar.utf8), as: "patient.json")
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try await Task.sleep(for: .milliseconds(500))
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            daemon.expectEachEndedOnce(["patient"])
            var job = DroppedJob(subfolder: "", stem: "patient", face: "patient.jpg")
            job.files = ["patient.jpg": face, "patient.json": Array(Self.instantSidecar.utf8)]
            try daemon.expectDone(job, model: "instantid")
            #expect(await server.ledger().submits == 1)
            daemon.expectClean()
        }
    }
}
