package import struct Foundation.Date

/// A face with its sidecar and pose, all written: what the tracker hands over to be claimed.
package struct ReadyJob: Sendable, Hashable {
    /// The folder holding the files, absolute.
    package var folder: String
    /// `folder` relative to the inbox root; empty at the top.
    package var subpath: String
    /// The name the files share, without extension.
    package var stem: String
    package var face: FileSnapshot
    /// Absent only when the inbox does not require sidecars.
    package var sidecar: FileSnapshot?
    /// `<stem>.pose.<ext>` or the file the sidecar names in `pose_image`.
    package var pose: FileSnapshot?
    /// The wall-clock time the first of the job's files was first seen.
    package var droppedAt: Date

    package init(
        folder: String,
        subpath: String,
        stem: String,
        face: FileSnapshot,
        sidecar: FileSnapshot? = nil,
        pose: FileSnapshot? = nil,
        droppedAt: Date
    ) {
        self.folder = folder
        self.subpath = subpath
        self.stem = stem
        self.face = face
        self.sidecar = sidecar
        self.pose = pose
        self.droppedAt = droppedAt
    }

    /// The job's files in claiming order: the face first, so that whoever moves it owns the job.
    package var files: [FileSnapshot] {
        [face] + [sidecar, pose].compactMap { $0 }
    }
}
