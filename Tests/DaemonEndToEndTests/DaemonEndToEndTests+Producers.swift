import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import Testing

/// The ways real producers put files into an inbox: each must make exactly one job from complete files.
extension DaemonEndToEndTests {
    static let instantSidecar = #"{"model":"instantid","prompt":"photo of a woman"}"#

    /// Waits for the instantid jobs `stems` (the JPEG face and ``instantSidecar`` each) and checks that each
    /// ended once in done/, made from the complete face, paid once.
    func expectProduced(_ daemon: DaemonHarness, _ server: EmulatorServer, stems: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await daemon.waitFor("\(stems.count) jobs to end") { daemon.jobs(.done).count + daemon.jobs(.failed).count >= stems.count }
        try await Task.sleep(for: .milliseconds(500))  // room for a second, wrong job to show
        #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary, sourceLocation: sourceLocation)
        daemon.expectEachEndedOnce(stems, sourceLocation: sourceLocation)
        let face = try Fixtures.bytes(Fixtures.faceJPEG)
        for stem in stems {
            var job = DroppedJob(subfolder: "", stem: stem, face: "\(stem).jpg")
            job.files = ["\(stem).jpg": face, "\(stem).json": Array(Self.instantSidecar.utf8)]
            try daemon.expectDone(job, model: "instantid", sourceLocation: sourceLocation)
        }
        #expect(await server.ledger().submits == stems.count, sourceLocation: sourceLocation)
        await daemon.expectClean(sourceLocation: sourceLocation)
    }

    @Test("a face written in ten chunks 200 ms apart becomes one job with the whole face")
    func slowChunkedWrite() async throws {
        try await withDaemon(configure: { $0.inboxes[0].settle = 0.5 }) { server, daemon in
            try daemon.drop(Array(Self.instantSidecar.utf8), as: "slow.json")
            try await daemon.writeSlowly(try Fixtures.bytes(Fixtures.faceJPEG), as: "slow.jpg", chunks: 10, pause: .milliseconds(200))
            try await expectProduced(daemon, server, stems: ["slow"])
        }
    }

    @Test("a face written as x.jpg.part and renamed, and one hard-linked into place, each make one job")
    func renameAndHardLink() async throws {
        try await withDaemon { server, daemon in
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            try daemon.drop(Array(Self.instantSidecar.utf8), as: "renamed.json")
            try await daemon.writeThenRename(face, as: "renamed.jpg")
            try daemon.drop(Array(Self.instantSidecar.utf8), as: "linked.json")
            try daemon.hardLink(face, as: "linked.jpg")
            try await expectProduced(daemon, server, stems: ["linked", "renamed"])
        }
    }

    @Test("a sidecar arriving seconds after its face (within orphan_after) makes one job")
    func lateSidecar() async throws {
        try await withDaemon(configure: { $0.inboxes[0].orphanAfter = 10 }) { server, daemon in
            try daemon.drop(try Fixtures.bytes(Fixtures.faceJPEG), as: "patient.jpg")
            try await Task.sleep(for: .seconds(4))
            #expect(daemon.jobs(.done).isEmpty && daemon.jobs(.failed).isEmpty, "the face was taken without its sidecar")
            #expect(await server.ledger().submits == 0)
            try daemon.drop(Array(Self.instantSidecar.utf8), as: "patient.json")
            try await expectProduced(daemon, server, stems: ["patient"])
        }
    }

    @Test("a face written through a descriptor held open past orphan_after, its sidecar written meanwhile, makes one job: never an orphan, never split")
    func faceWrittenThroughLongOpenDescriptor() async throws {
        // The default rescan interval: a rescan every 2 s would find a forgotten half pair again by chance.
        try await withDaemon(configure: {
            $0.inboxes[0].orphanAfter = 5
            $0.inboxes[0].rescanInterval = 300
        }) { server, daemon in
            // open(O_CREAT), the sidecar, the face's bytes through the same descriptor, close 7 s later: no event
            // tells the daemon the face grew until the close.
            let path = daemon.inboxPath("held.jpg")
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try daemon.drop(Array(Self.instantSidecar.utf8), as: "held.json")
            try await Task.sleep(for: .milliseconds(500))
            try handle.write(contentsOf: try Fixtures.bytes(Fixtures.faceJPEG))
            try await Task.sleep(for: .seconds(7))
            #expect(daemon.jobs(.failed).isEmpty, "taken as an orphan while it was still open: \(daemon.failureSummary)")
            try handle.close()
            try await expectProduced(daemon, server, stems: ["held"])
        }
    }
}
