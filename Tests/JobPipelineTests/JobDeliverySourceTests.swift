import FacedropTestSupport
import Foundation
import Hashing
import JobPipeline
import Outbox
import StrictJSON
import Testing

/// Where a delivery takes a finished job's images from: the bytes just fetched, or the spool, where they are
/// written only when the outbox refused them and which a power loss may have emptied or cut short.
@Suite("JobDelivery: images from memory or from the spool")
struct JobDeliverySourceTests {
    let drop = Drop()
    let image: [UInt8]

    init() throws {
        image = try Fixtures.bytes(Fixtures.smallFaceJPEG)
    }

    var spool: String { drop.folder.appending("spool") }

    func summary() -> GenerationSummary {
        let entry: JSONValue = [
            "file": "anna-1.jpg",
            "url": "http://127.0.0.1:9/outputs/anna-1.jpg",
            "sha256": .string(SHA256.hash(image).hex),
            "bytes": .integer(Int64(image.count)),
            "content_type": "image/jpeg",
        ]
        return GenerationSummary(
            model: "flux-pulid",
            requestID: "req-1",
            parameters: ["prompt": "p"],
            warnings: [],
            submittedAt: nil,
            completedAt: nil,
            polls: 1,
            inferenceTime: nil,
            cost: nil,
            remainingCredits: nil,
            outputs: [entry]
        )
    }

    func deliver(fetched: [String: [UInt8]]) throws -> String {
        let input = try drop.place(name: "anna", sidecar: #"{"prompt":"p"}"#)
        return try JobDelivery(outbox: OutboxFolders(root: drop.outbox), metadata: .sidecar).deliverResult(
            input,
            summary: summary(),
            spoolFolder: spool,
            fetched: fetched
        )
    }

    func spoolFile(_ bytes: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(spool)/anna-1.jpg"))
    }

    @Test("fetched bytes are delivered with no spool folder at all")
    func fromMemory() throws {
        let folder = try deliver(fetched: ["anna-1.jpg": image])
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: "\(folder)/anna-1.jpg"))) == image)
        #expect(!FileManager.default.fileExists(atPath: spool))
    }

    @Test("without fetched bytes, the spooled file is delivered when its sha256 matches")
    func fromTheSpool() throws {
        try spoolFile(image)
        let folder = try deliver(fetched: [:])
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: "\(folder)/anna-1.jpg"))) == image)
    }

    @Test("a spooled file that is missing, emptied or cut short is refused as spool_lost, and nothing reaches done/")
    func lostSpool() throws {
        for bytes in [nil, [], Array(image.prefix(image.count / 2))] as [[UInt8]?] {
            if let bytes { try spoolFile(bytes) } else { try? FileManager.default.removeItem(atPath: spool) }
            let failure = #expect(throws: JobFailure.self) { try deliver(fetched: [:]) }
            #expect(failure?.code == JobDelivery.spoolLostCode)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: "\(drop.outbox)/done")) ?? []).isEmpty)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: drop.inbox)) ?? [] {
                try FileManager.default.removeItem(atPath: "\(drop.inbox)/\(name)")
            }
        }
    }

    @Test("fetched bytes win over a torn file left in the spool")
    func memoryBeforeSpool() throws {
        try spoolFile([])
        let folder = try deliver(fetched: ["anna-1.jpg": image])
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: "\(folder)/anna-1.jpg"))) == image)
    }
}
