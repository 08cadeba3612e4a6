import FacedropTestSupport
import Foundation
import Glibc
import JobPipeline
import Outbox
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

@Suite("A job from hostile drops")
struct JobPipelineHostileTests {
    static let sidecar = #"{"model":"pulid-lightning","prompt":"a person","width":256,"height":256}"#

    func prepare(_ input: JobInput) throws -> JobFailure? {
        do {
            _ = try JobPreparer(catalog: try ModelCatalog.bundled()).prepare(input, settings: Drop.settings)
            return nil
        } catch let failure as JobFailure {
            return failure
        }
    }

    @Test("a PNG whose header declares 50000×50000 is refused from its header, before anything is decoded or sent")
    func decompressionBomb() throws {
        let drop = Drop()
        var input = try drop.place(name: "bomb", sidecar: Self.sidecar)
        let bomb = "\(drop.inbox)/bomb.png"
        try Data(ImageBytes.pngDeclaring(width: 50_000, height: 50_000)).write(to: URL(fileURLWithPath: bomb))
        input.facePath = bomb
        let clock = ContinuousClock()
        var failure: JobFailure?
        let elapsed = try clock.measure { failure = try prepare(input) }
        #expect(failure?.code == "invalid_input")
        #expect(failure?.message == "the face image bomb.png is too large: the PNG image declares 50000×50000 pixels, more than the limit of 268435456")
        #expect(elapsed < .seconds(1))
    }

    @Test("a face or sidecar that still has a second name (a hard link) is refused unread")
    func hardLinkedInputs() throws {
        let drop = Drop()
        let input = try drop.place(name: "linked", sidecar: Self.sidecar)
        let outside = drop.folder.appending("outside.jpg")
        #expect(link(input.facePath, outside) == 0)
        let face = try #require(try prepare(input))
        #expect(face.code == "invalid_input")
        #expect(face.message.contains("has 2 names (hard links)"), "\(face.message)")
        try FileManager.default.removeItem(atPath: outside)
        #expect(try prepare(input) == nil)
        #expect(link(try #require(input.sidecarPath), outside) == 0)
        #expect(try prepare(input)?.message.contains("the sidecar cannot be taken") == true)
        var trusted = Drop.settings
        trusted.refusesHardLinks = false
        _ = try JobPreparer(catalog: try ModelCatalog.bundled()).prepare(input, settings: trusted)
    }

    @Test("a failed job's inputs that cannot be taken are left out of input/ and named in error.json")
    func inputsLeftOut() throws {
        let drop = Drop()
        var input = try drop.place(name: "partial", sidecar: Self.sidecar)
        #expect(link(input.facePath, drop.folder.appending("outside.jpg")) == 0)
        let fifo = "\(drop.inbox)/partial.pose.jpg"
        #expect(mkfifo(fifo, 0o644) == 0)
        input.posePath = fifo
        input.claimID = "claim-1"
        let failure = JobFailure.invalidInput("test", hint: "test")
        let delivery = JobDelivery(outbox: OutboxFolders(root: drop.outbox))
        let folder = try delivery.deliverFailure(input, record: JobDelivery.errorRecord(input, failure: failure, model: nil, requestID: nil))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/input") == ["partial.json"])
        let record = try readJSON("\(folder)/error.json")
        let leftOut = record["inputs_left_out"]?.arrayValue ?? []
        #expect(leftOut.compactMap { $0["file"]?.stringValue } == ["partial.jpg", "partial.pose.jpg"])
        #expect(leftOut.allSatisfy { $0["reason"]?.stringValue?.isEmpty == false })
        #expect(delivery.findDelivered(input, outcome: .failed) == folder)
    }

    @Test("a job named by a 250-byte stem gets output names within NAME_MAX, twice over")
    func longNames() async throws {
        try await withEmulator { server, url in
            let drop = Drop()
            let runner = try drop.runner(url)
            let stem = String(repeating: "\u{E9}", count: 125)
            var folders: [String] = []
            for _ in 0..<2 {
                let report = await runner.run(try drop.place(name: stem, sidecar: Self.sidecar), settings: Drop.settings)
                #expect(report.outcome == .done, "\(report)")
                let folder = try #require(report.folder)
                folders.append(folder)
                let record = try readJSON("\(folder)/result.json")
                let files = record["outputs"]?.arrayValue?.compactMap { $0["file"]?.stringValue } ?? []
                #expect(files.count == 1)
                for file in files {
                    #expect(file.utf8.count <= 255)
                    #expect(FileManager.default.fileExists(atPath: "\(folder)/\(file)"))
                }
                #expect(FileManager.default.fileExists(atPath: "\(folder)/input/\(stem).json"))
                try FileManager.default.removeItem(atPath: "\(drop.inbox)/\(stem).jpg")
                try FileManager.default.removeItem(atPath: "\(drop.inbox)/\(stem).json")
            }
            #expect(folders == ["\(drop.outbox)/done/\(stem)", "\(drop.outbox)/done/\(stem)_2"])
            #expect(await server.ledger().billedSubmits == 2)
        }
    }
}
