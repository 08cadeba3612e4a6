import DaemonConfiguration
import FileSystem
import Foundation
import HotFolder
import Journal
import Logging
import StrictJSON

/// Receipts: a shared inbox's jobs write each step into their claim folder as well as the journal (see
/// ``ClaimReceipt``), so that another host can tell from the claim alone how far a job got.
extension JobExecutor {
    /// Whether the job's inbox is shared with other hosts (`shared = true`): only then are receipts written.
    func writesReceipts(_ record: JobRecord) -> Bool {
        inboxes.inbox(named: record.inbox)?.shared == true
    }

    /// The receipt of the intent to submit, written from the transfer thread right before the POST (see
    /// ``SubmitIntent``); nil for an inbox that is not shared. It fails, and the POST is then not sent, when the
    /// claim folder is gone: finished already, or adopted by another host.
    func intentReceipt(_ record: JobRecord, model: String, request: String) -> (@Sendable () throws(FileSystemError) -> Void)? {
        guard writesReceipts(record) else { return nil }
        let owner = self.owner
        let claimFolder = record.claimedPath
        let sent = try? JSONParser().parse(Array(request.utf8))
        return { () throws(FileSystemError) in
            var receipt = ClaimReceipt(step: .intent, owner: owner)
            receipt.model = model
            receipt.request = sent
            try receipt.write(into: claimFolder, in: Folder.open(JobClaimer.inboxRoot(ofClaimFolder: claimFolder)))
        }
    }

    /// Writes the receipt of a resumed job's step if its claim folder lacks it: a stop between the journal and the
    /// receipt leaves the receipt one step behind, and the job goes on from the journal without passing that
    /// step's write again.
    func catchUpReceipt(_ record: JobRecord) async {
        let step: ClaimReceipt.Step
        switch record.state {
        case .submitted: step = .submitted
        case .spooled: step = .completed
        case .delivered: step = .delivered
        default: return
        }
        guard writesReceipts(record) else { return }
        let claimFolder = record.claimedPath
        let present = await files.run { () -> Bool in
            guard let inbox = try? Folder.open(JobClaimer.inboxRoot(ofClaimFolder: claimFolder)) else { return false }
            return ClaimReceipt.read(claimFolder: claimFolder, in: inbox)[step] != nil
        }
        if !present { await writeReceipt(step, of: record) }
    }

    /// Writes the receipt of a step the journal has just recorded (request ID, spooled outputs, delivery), for a
    /// shared inbox. A receipt that cannot be written is logged: the job goes on from its journal, and a host that
    /// adopts it later sees an earlier step (an intent without a request ID fails as `outcome_unknown`, never sent
    /// again; a submitted job is polled, a completed one delivered).
    func writeReceipt(_ step: ClaimReceipt.Step, of record: JobRecord) async {
        guard writesReceipts(record) else { return }
        var receipt = ClaimReceipt(step: step, owner: owner)
        receipt.model = record.model
        switch step {
        case .intent:
            break
        case .submitted:
            receipt.requestID = record.requestID
            receipt.statusURL = record.statusURL
            receipt.responseURL = record.responseURL
            receipt.submittedAt = record.submittedAt
            receipt.deadline = record.deadline
        case .completed:
            receipt.requestID = record.requestID
            receipt.result = record.result.flatMap { try? JSONParser().parse(Array($0.utf8)) }
            receipt.outputs = try? JSONParser().parse(Array(record.outputs.utf8))
            receipt.completedAt = record.completedAt
        case .delivered:
            receipt.requestID = record.requestID
            receipt.folder = record.resultFolder
        }
        let claimFolder = record.claimedPath
        let finished = receipt
        do {
            try await files.run { () throws(FileSystemError) in
                try finished.write(into: claimFolder, in: Folder.open(JobClaimer.inboxRoot(ofClaimFolder: claimFolder)))
            }
        } catch {
            logger.warning(
                "could not write a receipt into the claim folder; the job goes on from the journal",
                metadata: ["job": "\(record.name)", "step": "\(step.rawValue)", "claim": "\(claimFolder)", "error": "\(error)"]
            )
        }
    }
}
