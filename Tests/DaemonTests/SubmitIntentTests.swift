import FacedropTestSupport
import FileSystem
import Foundation
import Journal
import Synchronization
import Testing

@testable import Daemon

@Suite("SubmitIntent: nothing is sent without the intent on disk, nor without its receipt in a shared inbox's claim")
struct SubmitIntentTests {
    func claimedJob(_ journal: JobJournal) async throws -> JobRecord {
        try await journal.recordClaim(
            JobClaim(
                inbox: "shared",
                subpath: "",
                name: "anna",
                claimedPath: "/srv/inbox/.facedrop/claim-anna",
                facePath: "/srv/inbox/.facedrop/claim-anna/input/anna.jpg",
                droppedAt: Date(timeIntervalSince1970: 1_700_000_000),
                readyAt: Date(timeIntervalSince1970: 1_700_000_000)
            )
        )
    }

    @Test("a receipt written: the intent is journaled and the POST may go")
    func receiptThenJournal() async throws {
        let folder = try TemporaryDirectory(prefix: "facedrop-intent")
        let journal = try JobJournal(stateDirectory: folder.appending("state"))
        let job = try await claimedJob(journal)
        let receipts = CallCounter()
        let intent = SubmitIntent(journal: journal, job: job, request: "{}", receipt: { receipts.add() }, crashPoints: .none)
        let send = await Task.detached { intent.record() }.value
        #expect(send)
        #expect(receipts.value == 1)
        guard case .recorded(let record) = intent.outcome else {
            Issue.record("not recorded: \(intent.outcome)")
            return
        }
        #expect(record.state == .submitting)
        #expect(try journal.job(job.id)?.state == .submitting)
    }

    @Test("a receipt refused (the claim was adopted by another host): nothing is journaled and the POST is not sent")
    func refusedReceiptSendsNothing() async throws {
        let folder = try TemporaryDirectory(prefix: "facedrop-intent")
        let journal = try JobJournal(stateDirectory: folder.appending("state"))
        let job = try await claimedJob(journal)
        let intent = SubmitIntent(
            journal: journal,
            job: job,
            request: "{}",
            receipt: { () throws(FileSystemError) in throw .notFound("write a receipt into", path: job.claimedPath) },
            crashPoints: .none
        )
        let send = await Task.detached { intent.record() }.value
        #expect(!send)
        guard case .unreceipted(let error) = intent.outcome else {
            Issue.record("not refused for the receipt: \(intent.outcome)")
            return
        }
        #expect(error.isNotFound)
        #expect(try journal.job(job.id)?.state == .claimed, "the intent must not be journaled without its receipt")
    }
}

/// Counts calls from any thread.
final class CallCounter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
