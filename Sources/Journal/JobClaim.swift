public import Foundation

/// What the claimer knows about a job at the moment it has moved the job's files into the working folder.
///
/// These fields never change afterwards; a ``JobRecord`` carries them as its `claim`.
public struct JobClaim: Sendable, Equatable {
    public var inbox: String
    /// The job's folder relative to the inbox; empty at the top.
    public var subpath: String
    /// The stem shared by the job's files.
    public var name: String
    /// The folder inside `<inbox>/.facedrop/` the files were moved to; unique per job.
    public var claimedPath: String
    public var facePath: String
    public var sidecarPath: String?
    public var posePath: String?
    public var model: String?
    /// Higher numbers are submitted first.
    public var priority: Int
    public var droppedAt: Date
    public var readyAt: Date

    public init(
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
}
