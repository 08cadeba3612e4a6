import FileSystem

/// The two ways the tracker touches the disk: reading a settled sidecar to learn its `pose_image`,
/// and looking for the pose it names when no scan has reported that file.
///
/// ``InboxFileAccess/disk`` is the real thing; tests pass closures over a dictionary, so the tracker
/// can be driven without files or inotify.
package struct InboxFileAccess: Sendable {
    /// Returns the bytes of a regular file of at most `maxBytes`, or nil (gone, a link, too large, a hard link,
    /// unreadable).
    package var readSidecar: @Sendable (_ path: String, _ maxBytes: Int) -> [UInt8]?
    /// Returns the `lstat` of a path, or nil when nothing is there.
    package var lstat: @Sendable (_ path: String) -> FileSnapshot?

    package init(
        readSidecar: @escaping @Sendable (_ path: String, _ maxBytes: Int) -> [UInt8]?,
        lstat: @escaping @Sendable (_ path: String) -> FileSnapshot?
    ) {
        self.readSidecar = readSidecar
        self.lstat = lstat
    }

    /// Reads with `O_NOFOLLOW`, regular files only, the size capped before a byte is read.
    package static let disk = InboxFileAccess(
        readSidecar: { path, maxBytes in try? Files.read(path, limit: maxBytes, singleName: true) },
        lstat: { path in FileSnapshot.lstat(path) }
    )
}
