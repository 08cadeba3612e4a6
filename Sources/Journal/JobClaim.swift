package import Foundation

/// What the claimer knows about a job at the moment it has moved the job's files into the working folder.
///
/// These fields never change afterwards; a ``JobRecord`` carries them as its `claim`.
package struct JobClaim: Sendable, Equatable {
    package var inbox: String
    /// The job's folder relative to the inbox; empty at the top.
    package var subpath: String
    /// The stem shared by the job's files.
    package var name: String
    /// The folder inside `<inbox>/.facedrop/` the files were moved to; unique per job.
    package var claimedPath: String
    package var facePath: String
    package var sidecarPath: String?
    package var posePath: String?
    package var model: String?
    /// Higher numbers are submitted first, within the job's share (see ``topFolder``).
    package var priority: Int
    package var droppedAt: Date
    package var readyAt: Date

    package init(
        inbox: String,
        subpath: String,
        name: String,
        claimedPath: String,
        facePath: String,
        sidecarPath: String? = nil,
        posePath: String? = nil,
        model: String? = nil,
        priority: Int = 0,
        droppedAt: Date,
        readyAt: Date
    ) {
        self.inbox = inbox
        self.subpath = subpath
        self.name = name
        self.claimedPath = claimedPath
        self.facePath = facePath
        self.sidecarPath = sidecarPath
        self.posePath = posePath
        self.model = model
        self.priority = priority
        self.droppedAt = droppedAt
        self.readyAt = readyAt
    }

    /// The claim's ID, as the records of its outbox folders carry it (`claim_id`): the name of its claim folder, as
    /// the claiming host made it. A host that adopts the claim of a dead one renames the folder to that name plus
    /// `-<16 hex digits>` (see `ClaimAdopter`), and the ID stays the same, so delivery still finds a folder the dead
    /// host had published for it.
    package var claimID: String { Self.claimID(ofClaimFolder: claimedPath) }

    /// ``claimID`` of a claim folder's path.
    package static func claimID(ofClaimFolder path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        // `yyyyMMddTHHmmss-` and 16 hex digits: 32 characters, then the adopters' suffix if any.
        let original = 32
        guard name.utf8.count > original, name.utf8.dropFirst(original).first == UInt8(ascii: "-") else { return name }
        return String(name.prefix(original))
    }

    /// The first folder of ``subpath`` (empty at the inbox's top): the queue the job joins when its inbox shares
    /// turns by subfolder.
    package var topFolder: String {
        String(subpath.split(separator: "/", maxSplits: 1).first ?? "")
    }
}
