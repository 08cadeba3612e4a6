import FileSystem

/// One entry of an inbox as `lstat` saw it: enough to tell whether a file is still changing and whether
/// two names are the same file.
package struct ScannedFile: Sendable, Hashable {
    /// What the entry is; links are reported, never followed.
    package enum Kind: Sendable, Hashable {
        case regular
        case symlink
        /// A FIFO, socket or device (or a folder, when ``ScannedFile/stat(_:)`` is given one).
        case other
    }

    /// The absolute path.
    package var path: String
    /// The last path component.
    package var name: String
    /// The absolute parent folder.
    package var folder: String
    package var size: Int64
    /// mtime in nanoseconds since 1970.
    package var modified: Int64
    /// ctime in nanoseconds since 1970; it also moves on rename, link and chmod.
    package var changed: Int64
    package var inode: UInt64
    package var device: UInt64
    package var linkCount: Int
    package var kind: Kind

    package init(
        path: String,
        size: Int64,
        modified: Int64,
        changed: Int64,
        inode: UInt64,
        device: UInt64,
        linkCount: Int,
        kind: Kind
    ) {
        let (folder, name) = PathName.split(path)
        self.path = path
        self.name = name
        self.folder = folder
        self.size = size
        self.modified = modified
        self.changed = changed
        self.inode = inode
        self.device = device
        self.linkCount = linkCount
        self.kind = kind
    }

    /// `lstat`s one path; nil when it is gone (or cannot be examined).
    package static func stat(_ path: String) -> ScannedFile? {
        guard case .success(let status) = FileSystem.status(path) else { return nil }
        return ScannedFile(path: path, status: status)
    }

    init(path: String, status: FileStatus) {
        let kind: Kind =
            switch status.kind {
            case .regular: .regular
            case .symbolicLink: .symlink
            default: .other
            }
        self.init(
            path: path,
            size: status.size,
            modified: status.modifiedNanoseconds,
            changed: status.changedNanoseconds,
            inode: status.inode,
            device: status.device,
            linkCount: status.linkCount,
            kind: kind
        )
    }
}
