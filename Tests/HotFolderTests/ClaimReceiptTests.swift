import FileSystem
import Foundation
import HotFolder
import StrictJSON
import Testing

@Suite("ClaimReceipt: a job's steps in its claim folder, for the other hosts of a share")
struct ClaimReceiptTests {
    /// A claimed job's folder, as the claimer leaves it.
    func claimed(_ fixture: ClaimFixture) throws -> String {
        guard case .claimed(let files) = try fixture.claimer().claim(try fixture.dropJob("anna")) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return files.folder
    }

    @Test("each step is read back as written, the furthest one telling how far the job got")
    func roundTrip() throws {
        let fixture = try ClaimFixture()
        let folder = try claimed(fixture)
        let inbox = try Folder.open(fixture.inbox)
        #expect(ClaimReceipt.read(claimFolder: folder, in: inbox).isEmpty)

        var intent = ClaimReceipt(step: .intent, owner: "host-a:/var/lib/facedrop")
        intent.model = "flux-pulid"
        try intent.write(into: folder, in: inbox)
        var submitted = ClaimReceipt(step: .submitted, owner: "host-a:/var/lib/facedrop")
        submitted.requestID = "req-1"
        submitted.statusURL = "https://api.segmind.com/v2/requests/req-1/status"
        submitted.responseURL = "https://api.segmind.com/v2/requests/req-1"
        submitted.submittedAt = Date(timeIntervalSince1970: 1_800_000_000.25)
        submitted.deadline = Date(timeIntervalSince1970: 1_800_000_600.5)
        try submitted.write(into: folder, in: inbox)
        var completed = ClaimReceipt(step: .completed, owner: "host-a:/var/lib/facedrop")
        completed.requestID = "req-1"
        completed.result = ["output": ["https://images.example/1.png"]]
        completed.outputs = ["outputs": [["file": "anna-1.png", "sha256": "ab"]]]
        try completed.write(into: folder, in: inbox)

        let read = ClaimReceipt.read(claimFolder: folder, in: inbox)
        #expect(read.keys.max() == .completed)
        #expect(read[.intent]?.model == "flux-pulid")
        #expect(read[.submitted]?.requestID == "req-1")
        #expect(read[.submitted]?.statusURL == submitted.statusURL)
        #expect(read[.submitted]?.submittedAt == submitted.submittedAt)
        #expect(read[.submitted]?.deadline == submitted.deadline)
        #expect(read[.completed]?.result == completed.result)
        #expect(read[.completed]?.outputs == completed.outputs)
        #expect(read[.completed]?.owner == "host-a:/var/lib/facedrop")
        // Durable: the temporary names are gone, only the receipts remain.
        #expect(try inbox.names("\(folder)/receipts").sorted() == ["completed.json", "intent.json", "submitted.json"])
    }

    @Test("once the claim folder is renamed away (adopted by another host), a receipt cannot be written into it")
    func adoptedClaimRefusesTheReceipt() throws {
        let fixture = try ClaimFixture()
        let folder = try claimed(fixture)
        let inbox = try Folder.open(fixture.inbox)
        #expect(try inbox.move(folder, to: "\(folder)-adopted", replacing: false))
        #expect(throws: FileSystemError.self) {
            try ClaimReceipt(step: .intent, owner: "host-a").write(into: folder, in: inbox)
        }
        #expect(!FileManager.default.fileExists(atPath: folder), "the write must not make the folder again")
    }

    @Test("a receipt of another format, of another step, or a submitted one without a request ID is left out")
    func unreadableReceiptsAreLeftOut() throws {
        let fixture = try ClaimFixture()
        let folder = try claimed(fixture)
        try fixture.write(".facedrop/\(PathNames.last(folder))/receipts/intent.json", #"{"format": 99, "step": "intent", "owner": "x"}"#)
        try fixture.write(".facedrop/\(PathNames.last(folder))/receipts/completed.json", #"{"format": 1, "step": "delivered", "owner": "x"}"#)
        try fixture.write(".facedrop/\(PathNames.last(folder))/receipts/submitted.json", #"{"format": 1, "step": "submitted", "owner": "x"}"#)
        try fixture.write(".facedrop/\(PathNames.last(folder))/receipts/delivered.json", "not json")
        #expect(ClaimReceipt.read(claimFolder: folder, in: try Folder.open(fixture.inbox)).isEmpty)
    }
}
