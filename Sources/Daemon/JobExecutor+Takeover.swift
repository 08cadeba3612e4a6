import FileSystem
import HotFolder
import JobPipeline
import Journal
import Logging

/// Fencing: a host taken for dead whose claims were adopted, and which comes back (a hung process, a partition), must
/// not go on with those jobs. Before each step that sends, polls or publishes, a shared inbox's job checks that its
/// claim folder is still there under its name and names this host; when it is not, the job ends here as
/// `takenOver`, and the host that adopted it finishes it.
extension JobExecutor {
    /// The staging folder's name of a shared inbox's job: its claim and this host (see ``JobDelivery/Fence``).
    static func stagingName(claimID: String, owner: String) -> String {
        "claim-\(claimID)-\(HostLeases.ownerTag(owner))"
    }

    /// The fence of a shared inbox's delivery: its staging folder is named for the claim and this host, and the
    /// claim is checked to be this host's once that folder exists. Nil for an inbox that is not shared.
    func deliveryFence(_ record: JobRecord) -> JobDelivery.Fence? {
        guard writesReceipts(record) else { return nil }
        let claimFolder = record.claimedPath
        let adopter = adopter(of: claimFolder)
        return JobDelivery.Fence(stagingName: Self.stagingName(claimID: record.claim.claimID, owner: owner)) { adopter.owns(claimFolder) }
    }

    /// This host's view of the claims of the inbox that holds `claimFolder`.
    private func adopter(of claimFolder: String) -> ClaimAdopter {
        ClaimAdopter(claimer: JobClaimer(inboxRoot: JobClaimer.inboxRoot(ofClaimFolder: claimFolder), owner: owner))
    }

    /// Nil while the job's claim is this host's (or its inbox is not shared); else the job is journaled as taken
    /// over and ends.
    func standDownIfTakenOver(_ record: JobRecord) async -> Ending? {
        guard writesReceipts(record), !record.state.isTerminal else { return nil }
        let claimFolder = record.claimedPath
        let adopter = adopter(of: claimFolder)
        guard await !files.run({ adopter.owns(claimFolder) }) else { return nil }
        guard
            await journaled(
                "record that another host took the job over",
                record,
                { () async throws(JournalError) in try await journal.markTakenOver(record.id) }
            )
                != nil
        else { return .interrupted }
        // Outputs this host had already spooled are the adopter's to fetch (it polls with the request ID): they go, as
        // a finished job's do, rather than wait for the next start's sweep. The claim folder is the adopter's now.
        let spoolFolder = state.spoolFolder(job: record.id)
        let stateRoot = state.root
        await files.run { try? Folder.open(stateRoot).removeTree(spoolFolder) }
        await spending.release(record)
        logger.notice(
            "another host adopted this job's claim (this host was taken for dead); it finishes the job, and this host does nothing more with it",
            metadata: ["job": "\(record.name)", "inbox": "\(record.inbox)", "claim": "\(claimFolder)", "state": "\(record.state)"]
        )
        return .finished
    }
}
