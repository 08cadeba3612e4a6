import Foundation
import JobPipeline
import Outbox
import StrictJSON
import Testing

/// The outbox's folders are made once per outbox, not at every delivery: deliveries go on when a user removes them.
@Suite("JobDelivery with outbox folders removed while facedrop runs")
struct JobDeliveryFolderTests {
    func deliver(_ drop: Drop, name: String) throws -> String {
        let input = try drop.place(name: name, sidecar: #"{"prompt":"p"}"#)
        let record: JSONValue = ["code": "invalid_sidecar"]
        return try JobDelivery(outbox: OutboxFolders(root: drop.outbox)).deliverRecord(input, record: record, outcome: .failed)
    }

    func exists(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    @Test("a delivery after the outbox's folders were removed makes the ones it writes into and succeeds")
    func removedFoldersAreMadeAgain() throws {
        let drop = Drop()
        #expect(try deliver(drop, name: "anna").hasSuffix("/failed/anna"))
        for folder in ["failed", "logs", ".facedrop-staging"] {
            try FileManager.default.removeItem(atPath: "\(drop.outbox)/\(folder)")
        }
        let folder = try deliver(drop, name: "bert")
        #expect(folder.hasSuffix("/failed/bert"))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/error.json"))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/input/bert.json"))
        let logs = try FileManager.default.contentsOfDirectory(atPath: "\(drop.outbox)/logs")
        #expect(logs.count == 1, "the outcome is logged in a logs/ made again: \(logs)")
        #expect(exists("\(drop.outbox)/.facedrop-staging"))
    }

    @Test("the whole outbox removed: the next delivery makes it again")
    func removedOutbox() throws {
        let drop = Drop()
        _ = try deliver(drop, name: "anna")
        try FileManager.default.removeItem(atPath: drop.outbox)
        #expect(try deliver(drop, name: "bert").hasSuffix("/failed/bert"))
    }

    @Test("after a refused write, the next delivery makes every folder of the outbox again")
    func refusedWriteMakesThemAgain() throws {
        let drop = Drop()
        _ = try deliver(drop, name: "anna")
        // Removed while facedrop runs: not made again by a delivery that does not write there...
        try FileManager.default.removeItem(atPath: "\(drop.outbox)/retry")
        _ = try deliver(drop, name: "bert")
        #expect(!exists("\(drop.outbox)/retry"))
        // ...until a write fails (here: a file where the staging folder belongs), after which the next delivery
        // prepares the whole outbox again.
        try FileManager.default.removeItem(atPath: "\(drop.outbox)/.facedrop-staging")
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(drop.outbox)/.facedrop-staging"))
        #expect(throws: JobFailure.self) { try deliver(drop, name: "carl") }
        try FileManager.default.removeItem(atPath: "\(drop.outbox)/.facedrop-staging")
        #expect(try deliver(drop, name: "dora").hasSuffix("/failed/dora"))
        #expect(exists("\(drop.outbox)/retry"))
    }
}
