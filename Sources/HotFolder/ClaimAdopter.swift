package import FileSystem
import Foundation

/// Takes over the claims of a host that died: finds them on the share, and adopts each by renaming its folder.
///
/// A claim is another host's to keep while that host's lease is fresh. Once the lease is older than
/// `takeover_after` on the share's clock (or, for a claim whose owner has no lease at all, once the claim itself
/// is that old), the claim may be adopted. Adopting is one `rename(2)` of the claim folder to a new name, the old
/// name plus `-<16 hex digits>` (8 that name the adopter, 8 random): a rename of one source can succeed once only,
/// so of several hosts adopting at once exactly one wins, and the dead host, should it come back, finds its claim
/// gone. Every write it would make into the claim by its old path (a receipt, above all the intent before a POST)
/// then fails, and it stands down.
///
/// The receipts move with the folder, so the adopter knows how far the job got. The calls block on the
/// filesystem; run them on a dedicated thread.
package struct ClaimAdopter: Sendable {
    /// The adopting host's claimer (inbox and owner).
    package let claimer: JobClaimer

    package init(claimer: JobClaimer) {
        self.claimer = claimer
    }

    /// A claim folder of a dead host, found by ``deadClaims(takeoverAfter:)``.
    package struct DeadClaim: Sendable, Hashable {
        package var folder: String
        package var owner: String
        /// How old the owner's lease is on the share's clock; nil when it has none.
        package var leaseAge: Duration?
    }

    /// The claim folders whose owner is dead, oldest first. Claims of live hosts and this host's own are left out.
    ///
    /// A claim folder `isJournaled` knows is this host's (claimed or adopted here: one adopted away has another name)
    /// and is not even read: this host may be removing it right now, and on a FUSE share a file read while the same
    /// host removes it can be left behind as `.fuse_hidden…`.
    package func deadClaims(takeoverAfter: Duration, isJournaled: (String) -> Bool = { _ in false }) throws(FileSystemError) -> [DeadClaim] {
        let leases = HostLeases(inboxRoot: claimer.inboxRoot, owner: claimer.owner)
        let now = try leases.shareNow()
        let hosts = try leases.seen(at: now)
        var ages: [String: Duration] = [:]
        for host in hosts { ages[host.lease.owner] = min(ages[host.lease.owner] ?? host.age, host.age) }
        let inbox = try claimer.inbox()
        var dead: [DeadClaim] = []
        for name in try inbox.names(claimer.workFolder).sorted() where JobClaimer.isClaimFolderName(name) {
            let folder = "\(claimer.workFolder)/\(name)"
            guard !isJournaled(folder), let record = ClaimRecord.read(claimFolder: folder, in: inbox), record.owner != claimer.owner else {
                continue
            }
            let owner = self.owner(of: name, record: record, ages: ages)
            if let age = ages[owner] {
                if age > takeoverAfter { dead.append(DeadClaim(folder: folder, owner: owner, leaseAge: age)) }
                continue
            }
            // No lease at all: a host that never shared the inbox, or whose lease was removed. The claim's own age
            // (its record, stamped by the share) stands in for the lease's.
            guard let status = try? inbox.status("\(folder)/\(ClaimRecord.fileName)") else { continue }
            let age = now.timeIntervalSince(HostLeases.date(status.modifiedNanoseconds))
            if age > Double(takeoverAfter.components.seconds) { dead.append(DeadClaim(folder: folder, owner: record.owner, leaseAge: nil)) }
        }
        return dead
    }

    /// Whose claim `name` is. Its record says so, except in the moment between an adoption's rename and the rewrite
    /// of the record (or for good, if the adopter died in that moment): the record still names the dead host, and a
    /// second host that took it at its word would adopt the claim from a live adopter. The name's adopter tag
    /// (``JobClaimer/adoptionSuffix(owner:)``) tells the adopter, among the hosts with a lease. A tag of this host's
    /// own is such a moment of a run that stopped: the claim is judged by its record's owner and adopted again.
    private func owner(of name: String, record: ClaimRecord, ages: [String: Duration]) -> String {
        guard let tag = JobClaimer.adopterTag(ofClaimFolderName: name), tag != JobClaimer.adopterTag(record.owner),
            tag != JobClaimer.adopterTag(claimer.owner)
        else { return record.owner }
        let adopters = ages.filter { JobClaimer.adopterTag($0.key) == tag }
        return adopters.min { $0.value < $1.value }?.key ?? record.owner
    }

    /// This host's own claims with receipts that `isJournaled` does not know: adopted from a dead host by a run of
    /// this host that stopped before it journaled them (the start-up sweep leaves them alone). They are adopted again
    /// (``adopt(_:)``, a rename to a new name) and journaled as any adoption. A journaled claim is not read (see
    /// ``deadClaims(takeoverAfter:isJournaled:)``).
    package func unjournaledClaims(isJournaled: (String) -> Bool) throws(FileSystemError) -> [DeadClaim] {
        let inbox = try claimer.inbox()
        var found: [DeadClaim] = []
        for name in try inbox.names(claimer.workFolder).sorted() where JobClaimer.isClaimFolderName(name) {
            let folder = "\(claimer.workFolder)/\(name)"
            guard !isJournaled(folder), let record = ClaimRecord.read(claimFolder: folder, in: inbox), record.owner == claimer.owner,
                !ClaimReceipt.read(claimFolder: folder, in: inbox).isEmpty
            else { continue }
            found.append(DeadClaim(folder: folder, owner: record.owner, leaseAge: nil))
        }
        return found
    }

    /// What an adoption took over.
    package struct Adopted: Sendable {
        /// The claim folder under its new name.
        package var folder: String
        /// The record, now naming this host; its `folder`, `subpath`, `stem` and `files` are the dead host's.
        package var record: ClaimRecord
        /// The host it was taken from.
        package var previousOwner: String
        /// The receipts the dead host wrote: how far the job got.
        package var receipts: [ClaimReceipt.Step: ClaimReceipt]
        /// The job's files in the claim's `input/`, as paths.
        package var inputs: [String]

        /// Whether the dead host had moved every file its record names: a claim it died in the middle of making
        /// (no receipt, a file still in the inbox) is put back instead (``JobClaimer/putBack(adopted:record:)``),
        /// and its files are claimed anew.
        package var isComplete: Bool {
            let present = Set(inputs.map(PathNames.last))
            return !record.files.isEmpty && record.files.allSatisfy(present.contains)
        }
    }

    /// Adopts `claim` by renaming its folder; nil when another host was first (or the owner finished it meanwhile).
    package func adopt(_ claim: DeadClaim) throws(FileSystemError) -> Adopted? {
        let inbox = try claimer.inbox()
        let name = PathNames.last(claim.folder)
        let original = String(name.prefix(32))
        let adopted = "\(claimer.workFolder)/\(original)-\(JobClaimer.adoptionSuffix(owner: claimer.owner))"
        do {
            guard try inbox.move(claim.folder, to: adopted, replacing: false) else { return nil }
        } catch {
            // Gone from under its name: another host adopted it first, or its owner finished it.
            guard error.isNotFound else { throw error }
            return nil
        }
        try inbox.folder(claimer.workFolder).sync()
        guard var record = ClaimRecord.read(claimFolder: adopted, in: inbox) else {
            throw .notFound("read the record of an adopted claim", path: inbox.display(adopted))
        }
        let previousOwner = record.owner
        record.owner = claimer.owner
        try record.write(into: adopted, in: inbox)
        let input = "\(adopted)/\(JobClaimer.inputFolderName)"
        let names = (try? inbox.names(input)) ?? []
        // In claiming order (face, sidecar, pose), then anything else.
        let ordered = record.files.filter(names.contains) + names.filter { !record.files.contains($0) }.sorted()
        return Adopted(
            folder: adopted,
            record: record,
            previousOwner: previousOwner,
            receipts: ClaimReceipt.read(claimFolder: adopted, in: inbox),
            inputs: ordered.map { "\(input)/\($0)" }
        )
    }

    /// Whether `claimFolder` is still this host's. False only on proof that it is not: the folder is gone from under
    /// its name (adopted, renamed away), or its record names another host. A share that cannot be read now proves
    /// nothing, and the job goes on: standing down a job that was not adopted would lose it.
    package func owns(_ claimFolder: String) -> Bool {
        guard let inbox = try? claimer.inbox() else { return true }
        switch Result(catching: { () throws(FileSystemError) in try inbox.status(claimFolder) }) {
        case .success(nil): return false
        case .success: break
        case .failure: return true
        }
        guard let record = ClaimRecord.read(claimFolder: claimFolder, in: inbox) else { return true }
        return record.owner == claimer.owner
    }
}
