/// One `lstat` of one file, as the daemon saw it.
///
/// Readiness is decided by comparing snapshots over time, never by trusting an inotify event: a file
/// counts as written once its snapshot has stopped changing. Every field that a writer can move is
/// kept, so slow chunked writes (size, mtime), an append after close (size, mtime, ctime) and a file
/// linked or renamed into place (inode, ctime) all restart the wait.
public struct FileSnapshot: Sendable, Hashable {
    /// The absolute path.
    public var path: String
    /// The size in bytes.
    public var size: Int64
    /// The modification time in nanoseconds since the epoch.
    public var modified: Int64
    /// The status change time in nanoseconds since the epoch.
    public var changed: Int64
    /// The inode number.
    public var inode: UInt64
    /// Whether the path names a regular file (not a link, directory, FIFO or device).
    public var isRegular: Bool

    public init(path: String, size: Int64, modified: Int64, changed: Int64, inode: UInt64, isRegular: Bool = true) {
        self.path = path
        self.size = size
        self.modified = modified
        self.changed = changed
        self.inode = inode
        self.isRegular = isRegular
    }

    /// Reads the snapshot of `path` without following a symbolic link; nil when nothing is there.
    public static func lstat(_ path: String) -> FileSnapshot? {
        FileSystem.lstat(path)
    }

    /// Whether `other` describes the same file in the same state (the path is not compared).
    func isUnchanged(comparedTo other: FileSnapshot) -> Bool {
        size == other.size && modified == other.modified && changed == other.changed && inode == other.inode
            && isRegular == other.isRegular
    }
}
