/// How one inbox decides that a dropped file is written and how long half a job may wait.
package struct InboxRules: Sendable, Hashable {
    /// How long a file's size, mtime, ctime and inode must stay unchanged before it counts as written.
    package var settle: Duration
    /// How long a settled file may wait for the rest of its job before it is given up as an orphan.
    package var orphanAfter: Duration
    /// Whether a face needs a `<stem>.json`. When false, a face alone becomes a job (with the inbox's
    /// defaults) once it has settled.
    package var sidecarRequired: Bool
    /// Sidecars larger than this are not read to learn their `pose_image`. The job still becomes ready,
    /// and validation later reports the size: the tracker never judges a sidecar.
    package var maxSidecarBytes: Int

    package init(
        settle: Duration = .seconds(2),
        orphanAfter: Duration = .seconds(600),
        sidecarRequired: Bool = true,
        maxSidecarBytes: Int = 1 << 20
    ) {
        self.settle = settle
        self.orphanAfter = orphanAfter
        self.sidecarRequired = sidecarRequired
        self.maxSidecarBytes = maxSidecarBytes
    }
}
