import FileSystem

/// One `lstat` of one file, as the daemon saw it.
///
/// Readiness is decided by comparing snapshots over time, never by trusting an inotify event: a file
/// counts as written once its snapshot has stopped changing. Every field that a writer can move is
/// kept, so slow chunked writes (size, mtime), an append after close (size, mtime, ctime) and a file
/// linked or renamed into place (inode, ctime) all restart the wait.
package struct FileSnapshot: Sendable, Hashable {
    /// What kind of entry the path names; only regular files are ever taken.
    package enum Kind: Sendable, Hashable, CustomStringConvertible {
        case regular
        case symbolicLink
        case directory
        case fifo
        case socket
        case characterDevice
        case blockDevice
        /// Not a regular file, of a kind the snapshot's maker did not say.
        case notRegular

        package var description: String {
            switch self {
            case .regular: "a regular file"
            case .symbolicLink: "a symbolic link"
            case .directory: "a folder"
            case .fifo: "a FIFO"
            case .socket: "a socket"
            case .characterDevice: "a character device"
            case .blockDevice: "a block device"
            case .notRegular: "not a regular file"
            }
        }
    }

    /// The absolute path.
    package var path: String
    /// The size in bytes.
    package var size: Int64
    /// The modification time in nanoseconds since the epoch.
    package var modified: Int64
    /// The status change time in nanoseconds since the epoch.
    package var changed: Int64
    /// The inode number.
    package var inode: UInt64
    /// What the path names.
    package var kind: Kind

    /// Whether the path names a regular file (not a link, directory, FIFO or device).
    package var isRegular: Bool {
        get { kind == .regular }
        set { kind = newValue ? .regular : (kind == .regular ? .notRegular : kind) }
    }

    /// - Parameter kind: what the path names when known; otherwise `isRegular` decides between
    ///   ``Kind/regular`` and ``Kind/notRegular``.
    package init(
        path: String,
        size: Int64,
        modified: Int64,
        changed: Int64,
        inode: UInt64,
        isRegular: Bool = true,
        kind: Kind? = nil
    ) {
        self.path = path
        self.size = size
        self.modified = modified
        self.changed = changed
        self.inode = inode
        self.kind = kind ?? (isRegular ? .regular : .notRegular)
    }

    /// The snapshot of `path` as `lstat` described it.
    init(path: String, status: FileStatus) {
        self.path = path
        (size, modified, changed, inode) = (status.size, status.modifiedNanoseconds, status.changedNanoseconds, status.inode)
        kind =
            switch status.kind {
            case .regular: .regular
            case .symbolicLink: .symbolicLink
            case .directory: .directory
            case .fifo: .fifo
            case .socket: .socket
            case .characterDevice: .characterDevice
            case .blockDevice: .blockDevice
            case .other: .notRegular
            }
    }

    /// Reads the snapshot of `path` without following a symbolic link; nil when nothing is there.
    package static func lstat(_ path: String) -> FileSnapshot? {
        guard case .some(.some(let status)) = try? Files.status(path) else { return nil }
        return FileSnapshot(path: path, status: status)
    }

    /// Whether `other` describes the same file in the same state (the path is not compared).
    func isUnchanged(comparedTo other: FileSnapshot) -> Bool {
        size == other.size && modified == other.modified && changed == other.changed && inode == other.inode
            && isRegular == other.isRegular
    }
}
