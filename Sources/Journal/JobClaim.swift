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

    /// The first folder of ``subpath`` (empty at the inbox's top): the queue the job joins when its inbox shares
    /// turns by subfolder.
    package var topFolder: String {
        String(subpath.split(separator: "/", maxSplits: 1).first ?? "")
    }
}
