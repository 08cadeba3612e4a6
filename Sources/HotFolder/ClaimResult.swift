/// What became of one claim.
package enum ClaimResult: Sendable, Hashable {
    /// The files are in the claim folder; the job is ours.
    case claimed(ClaimedFiles)
    /// The job's first file was already gone: another process claimed it (or it was deleted). Nothing
    /// was moved; the caller drops the job (a later scan finds any file left behind).
    case lost
    /// A file changed or vanished since it looked ready. Whatever was moved is back in the inbox; the
    /// caller observes the files again.
    case changed
}

/// Where a claimed job's files now are.
package struct ClaimedFiles: Sendable, Hashable {
    /// The claim folder, `<inbox>/.facedrop/<unique>`: what the journal records and ``JobClaimer/discard(claimFolder:)`` deletes.
    package var folder: String
    package var facePath: String?
    package var sidecarPath: String?
    package var posePath: String?
    /// An orphan's files, in claiming order.
    package var otherPaths: [String]

    package init(
        folder: String,
        facePath: String? = nil,
        sidecarPath: String? = nil,
        posePath: String? = nil,
        otherPaths: [String] = []
    ) {
        self.folder = folder
        self.facePath = facePath
        self.sidecarPath = sidecarPath
        self.posePath = posePath
        self.otherPaths = otherPaths
    }
}
