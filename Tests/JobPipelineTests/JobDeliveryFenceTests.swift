import FacedropTestSupport
import Foundation
import JobPipeline
import Outbox
import StrictJSON
import Synchronization
import Testing

@Suite("JobDelivery's fence: of two hosts delivering one shared claim, one folder is published")
struct JobDeliveryFenceTests {
    static let claimID = "20261206T100540-309fcf79461fa8ef"

    /// A failed job's record, delivered with `fence` (its files placed in the inbox unless `placed`).
    func deliver(_ drop: Drop, fence: JobDelivery.Fence, placed: Bool = false) throws(JobFailure) -> String {
        var input =
            placed
            ? JobInput(name: "anna", inbox: "test", facePath: "\(drop.inbox)/anna.jpg", sidecarPath: "\(drop.inbox)/anna.json")
            : try! drop.place(name: "anna", sidecar: #"{"prompt":"p"}"#)
        input.claimID = Self.claimID
        let record: JSONValue = ["code": "invalid_sidecar", "claim_id": .string(Self.claimID)]
        return try JobDelivery(outbox: OutboxFolders(root: drop.outbox), fence: fence).deliverRecord(input, record: record, outcome: .failed)
    }

    func staged(_ drop: Drop) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(drop.outbox)/.facedrop-staging")) ?? []).sorted()
    }

    @Test("while the claim is this host's, the folder is staged under the claim's and host's name and published")
    func ownedClaimIsPublished() throws {
        let drop = Drop()
        let seen = Mutex<[String]>([])
        let outbox = drop.outbox
        let fence = JobDelivery.Fence(stagingName: "claim-X-aaaa") {
            seen.withLock { $0 = ((try? FileManager.default.contentsOfDirectory(atPath: "\(outbox)/.facedrop-staging")) ?? []) }
            return true
        }
        let folder = try deliver(drop, fence: fence)
        #expect(folder.hasSuffix("/failed/anna"))
        #expect(seen.withLock { $0 } == ["claim-X-aaaa"], "the check comes once the named staging folder exists")
        #expect(staged(drop).isEmpty)
    }

    @Test("a claim adopted before the check: nothing is published, the staging folder is removed, the failure says taken_over")
    func adoptedClaimIsNotPublished() throws {
        let drop = Drop()
        do {
            let folder = try deliver(drop, fence: JobDelivery.Fence(stagingName: "claim-X-aaaa") { false })
            Issue.record("published at \(folder)")
        } catch {
            #expect(error.code == JobDelivery.takenOverCode)
        }
        #expect(!FileManager.default.fileExists(atPath: "\(drop.outbox)/failed/anna"))
        #expect(staged(drop).isEmpty)
    }

    @Test("a claim adopted just after the check: the adopter takes the staging folder away, and the hung host's publish fails")
    func adoptedAfterTheCheck() throws {
        let drop = Drop()
        let outbox = OutboxFolders(root: drop.outbox)
        // The check passes, and the adoption lands right after it: the adopter takes every other host's staging
        // folder of the claim, keeping its own name.
        let fence = JobDelivery.Fence(stagingName: "claim-X-aaaa") {
            #expect(outbox.takeStagingFolders(prefix: "claim-X-", keeping: "claim-X-bbbb") == 1)
            return true
        }
        #expect(throws: JobFailure.self) { try deliver(drop, fence: fence) }
        #expect(!FileManager.default.fileExists(atPath: "\(drop.outbox)/failed/anna"))
    }

    @Test("a folder already delivered for the claim is returned only while the claim is this host's: the adopter's delivery is not this host's")
    func alreadyDeliveredFolderIsFenced() throws {
        let drop = Drop()
        let folder = try deliver(drop, fence: JobDelivery.Fence(stagingName: "claim-X-bbbb") { true })
        #expect(try deliver(drop, fence: JobDelivery.Fence(stagingName: "claim-X-bbbb") { true }, placed: true) == folder)
        do {
            let found = try deliver(drop, fence: JobDelivery.Fence(stagingName: "claim-X-aaaa") { false }, placed: true)
            Issue.record("returned \(found)")
        } catch {
            #expect(error.code == JobDelivery.takenOverCode)
        }
    }

    @Test("taking staging folders keeps the adopter's own and other claims'")
    func takingKeepsTheRest() throws {
        let drop = Drop()
        let outbox = OutboxFolders(root: drop.outbox)
        try outbox.prepare()
        for name in ["claim-X-aaaa", "claim-X-bbbb", "claim-Y-aaaa", "0F3A-uuid"] { try outbox.makeFolder("\(outbox.staging)/\(name)") }
        #expect(outbox.takeStagingFolders(prefix: "claim-X-", keeping: "claim-X-bbbb") == 1)
        #expect(staged(drop) == ["0F3A-uuid", "claim-X-bbbb", "claim-Y-aaaa"])
    }
}
