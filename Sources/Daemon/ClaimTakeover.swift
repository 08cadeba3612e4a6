import DaemonConfiguration
import FileSystem
import Foundation
import HotFolder
import JobPipeline
import Journal
import Logging
import Outbox
import StrictJSON

/// Adopts the claims of dead hosts in the shared inboxes and carries their jobs on here (see ``ClaimAdopter``).
///
/// Run after each renewal of this host's lease. Each adopted claim is journaled in the state its receipts show, in
/// one transaction (``JobJournal/recordAdoption(_:at:)``): without an intent the job is queued as a fresh claim; with
/// an intent and no request ID it fails as `outcome_unknown` (the POST may have been sent and billed); with a request
/// ID it is polled with it, never sent again, and then delivered as any job (a delivery the dead host had already
/// published is found by its claim ID and not made twice).
final class ClaimTakeover: Sendable {
    private let owner: String
    private let journal: JobJournal
    private let scheduler: JobScheduler
    private let executor: JobExecutor
    private let files: FileWorkPool
    private let logger: Logger

    init(owner: String, journal: JobJournal, scheduler: JobScheduler, executor: JobExecutor, files: FileWorkPool, logger: Logger) {
        self.owner = owner
        self.journal = journal
        self.scheduler = scheduler
        self.executor = executor
        self.files = files
        self.logger = logger
    }

    /// Adopts every claim of a dead host in `inbox`; returns how many.
    @discardableResult
    func adoptDeadClaims(in inbox: InboxConfiguration, takeoverAfter: Duration) async -> Int {
        let adopter = ClaimAdopter(claimer: JobClaimer(inboxRoot: inbox.path, owner: owner, logger: logger))
        let dead: [ClaimAdopter.DeadClaim]
        let journal = self.journal
        do {
            dead = try await files.run { () throws(FileSystemError) in
                // This host's journaled claims are not read: its jobs may be removing them meanwhile.
                let isJournaled = { (folder: String) in (try? journal.exists(claimedPath: folder)) == true }
                return try adopter.unjournaledClaims(isJournaled: isJournaled) + adopter.deadClaims(takeoverAfter: takeoverAfter, isJournaled: isJournaled)
            }
        } catch {
            logger.warning("could not look for the claims of dead hosts", metadata: ["inbox": "\(inbox.name)", "error": "\(error)"])
            return 0
        }
        var adopted = 0
        for claim in dead {
            let taken: ClaimAdopter.Adopted?
            do {
                taken = try await files.run { () throws(FileSystemError) in try adopter.adopt(claim) }
            } catch {
                logger.error("could not adopt the claim of a dead host", metadata: ["inbox": "\(inbox.name)", "claim": "\(claim.folder)", "error": "\(error)"])
                continue
            }
            guard let taken else { continue }
            // The dead host's staging folders for this claim are taken from it now, right after the adoption: should it
            // only have hung, it can no longer publish the job's folder (see ``JobDelivery/Fence``).
            let claimID = JobClaim.claimID(ofClaimFolder: taken.folder)
            let outbox = OutboxFolders(root: inbox.outbox)
            let keeping = JobExecutor.stagingName(claimID: claimID, owner: owner)
            _ = await files.run { outbox.takeStagingFolders(prefix: "claim-\(claimID)-", keeping: keeping) }
            guard taken.isComplete || !taken.receipts.isEmpty else {
                // Its owner died while it moved the files in: nothing was sent, so they go back to be claimed anew.
                let claimer = adopter.claimer
                let restored = await files.run { claimer.putBack(adopted: taken.folder, record: taken.record) }
                logger.notice(
                    "put back the files of a claim its dead host had not finished",
                    metadata: ["inbox": "\(inbox.name)", "job": "\(taken.record.stem)", "from": "\(taken.previousOwner)", "files": "\(restored.count)"]
                )
                continue
            }
            if await record(taken, inbox: inbox) { adopted += 1 }
        }
        if adopted > 0 { scheduler.wake() }
        return adopted
    }

    /// Journals an adopted claim and hands its job to the scheduler.
    private func record(_ taken: ClaimAdopter.Adopted, inbox: InboxConfiguration) async -> Bool {
        let receipts = taken.receipts
        let sidecarPath = taken.inputs.first { PathNames.last($0) == "\(taken.record.stem).json" }
        let posePath = taken.inputs.first { PathNames.last($0).hasPrefix("\(taken.record.stem).pose.") }
        let facePath = taken.inputs.first { $0 != sidecarPath && $0 != posePath } ?? sidecarPath ?? "\(taken.folder)/input/\(taken.record.stem)"
        let sidecar = sidecarPath.flatMap(DropIntake.readSidecar)
        let claim = JobClaim(
            inbox: inbox.name,
            subpath: taken.record.subpath,
            name: taken.record.stem,
            claimedPath: taken.folder,
            facePath: facePath,
            sidecarPath: sidecarPath,
            posePath: posePath,
            model: receipts[.intent]?.model ?? sidecar?["model"]?.stringValue ?? inbox.model,
            priority: DropIntake.priority(in: sidecar),
            droppedAt: taken.record.claimedAt,
            readyAt: Date()
        )
        let request = receipts[.intent]?.request.map { String(decoding: $0.serialized(), as: UTF8.self) }
        let step: JobJournal.AdoptedStep
        if let delivered = receipts[.delivered], let folder = delivered.folder {
            step = .delivered(requestID: delivered.requestID, folder: folder)
        } else if let submitted = receipts[.submitted], let requestID = submitted.requestID {
            step = .submitted(
                requestID: requestID,
                statusURL: submitted.statusURL,
                responseURL: submitted.responseURL,
                submittedAt: submitted.submittedAt,
                deadline: submitted.deadline,
                result: receipts[.completed]?.result.map { String(decoding: $0.serialized(), as: UTF8.self) }
            )
        } else if receipts[.intent] != nil {
            step = .intent
        } else {
            step = .claimed
        }
        let recorded: JobRecord
        do {
            recorded = try await journal.recordAdoption(claim, at: step, request: request)
        } catch {
            logger.error(
                "an adopted claim could not be journaled; it is adopted again at the next pass",
                metadata: ["claim": "\(taken.folder)", "error": "\(error)"]
            )
            return false
        }
        let name = claim.subpath.isEmpty ? claim.name : "\(claim.subpath)/\(claim.name)"
        logger.notice(
            "adopted the claim of a dead host",
            metadata: [
                "inbox": "\(inbox.name)", "job": "\(name)", "from": "\(taken.previousOwner)", "state": "\(recorded.state)",
                "segmind.request_id": "\(recorded.requestID ?? "-")",
            ]
        )
        guard recorded.state == .submitting else {
            await scheduler.adopted(recorded)
            return true
        }
        let failure = JobFailure(
            stage: .submit,
            code: "outcome_unknown",
            message:
                "the host that claimed this job (\(taken.previousOwner)) stopped renewing its lease while the job's submit was in flight; Segmind may have accepted (and billed) it",
            hint:
                "Check Segmind's request history for this model around the submit time before dropping the job again; facedrop never submits twice on its own."
        )
        if await executor.fail(recorded, failure) == .writePending {
            await scheduler.writePending(recorded.id)
        }
        return true
    }
}
