package import SystemPackage

/// An open folder, and every file operation relative to it.
///
/// facedrop's inboxes, outboxes and state folder are untrusted below their roots: anyone who can write into a
/// shared inbox or outbox can plant a symbolic link where facedrop is about to write, to send a file elsewhere or
/// to read one from elsewhere. So the root is opened once (it may itself be a link, say to another disk) and
/// everything below it is reached `openat`-style, one component at a time with `O_NOFOLLOW`: a link anywhere
/// below the root is never followed, whether it stands for a folder on the way or for the file itself.
///
/// A relative path is a name or several names joined with `/`; `.` and empty components are skipped, `..` is
/// refused. A path that starts with the folder's own ``path`` and a `/` is taken as relative to it, so code that
/// keeps whole paths can hand them over as they are; any other absolute path is refused. The folder's descriptor
/// closes when the last reference goes.
package final class Folder: Sendable {
    /// The folder's path, for messages.
    package let path: String
    let descriptor: FileDescriptor

    init(path: String, descriptor: FileDescriptor) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { Syscalls.close(descriptor) }

    /// Opens a root folder, following links on the way to it; with `creating`, makes it and its missing parents
    /// first (`mode` for each new one).
    package static func open(
        _ path: String,
        creating: Bool = false,
        mode: FilePermissions = .privateFolder
    )
        throws(FileSystemError) -> Folder
    {
        let flags = Flags.readOnly | Flags.directory
        if creating {
            // Nearly always there already (an outbox is opened this way for each of a delivery's steps): one open,
            // and the walk from `/`, an open per component, only when that fails.
            if case .success(let descriptor) = Syscalls.open(path, relativeTo: currentDirectory, flags: flags) {
                return Folder(path: path, descriptor: descriptor)
            }
            // mkdir -p: the path above a root is the administrator's, so links on it are followed.
            var current = try path.hasPrefix("/") ? Folder.root : Folder.current
            var built = path.hasPrefix("/") ? "" : "."
            for component in path.split(separator: "/") where component != "." {
                built += "/\(component)"
                current = try current.child(String(component), path: built, creating: true, mode: mode, following: true)
            }
        }
        switch Syscalls.open(path, relativeTo: currentDirectory, flags: flags) {
        case .success(let descriptor): return Folder(path: path, descriptor: descriptor)
        case .failure(let code): throw FileSystemError("open folder", path: path, errno: code)
        }
    }

    /// The folder `relative` below this one, reached without following a link; with `creating`, missing folders
    /// are made (`mode`), and with `replacingLinks` a link found where a folder belongs is removed and replaced by
    /// a real folder (anything else there is an error).
    package func folder(
        _ relative: String,
        creating: Bool = false,
        mode: FilePermissions = .sharedFolder,
        replacingLinks: Bool = false
    ) throws(FileSystemError) -> Folder {
        var current = self
        var built = path
        for component in try components(relative, operation: "open folder") {
            built += "/\(component)"
            current = try current.child(component, path: built, creating: creating, mode: mode, replacingLinks: replacingLinks)
        }
        return current
    }

    /// The folder holding the last component of `relative`, and that component's name.
    func parent(of relative: String, operation: String) throws(FileSystemError) -> (folder: Folder, name: String) {
        var components = try components(relative, operation: operation)
        guard let name = components.popLast() else {
            throw FileSystemError(operation, path: display(relative), reason: .outsideFolder)
        }
        var current = self
        var built = path
        for component in components {
            built += "/\(component)"
            current = try current.child(component, path: built, creating: false, mode: [], replacingLinks: false)
        }
        return (current, name)
    }

    /// `relative`'s full path, for messages.
    package func display(_ relative: String) -> String {
        if relative.hasPrefix("/") || relative == path || relative.hasPrefix(path + "/") { return relative }
        return relative.isEmpty || relative == "." ? path : path.hasSuffix("/") ? path + relative : "\(path)/\(relative)"
    }

    /// `relative` (or a whole path below this folder) as names, checked: no `..`, nothing outside.
    ///
    /// Compared and split as bytes, as the kernel sees a path (and every file step of every job passes here).
    /// The bytes are copied into arrays first: the same steps over `String.UTF8View` slices cost ten times
    /// as many instructions, through generic index arithmetic for every byte.
    func components(_ relative: String, operation: String) throws(FileSystemError) -> [String] {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        let folderPath = Array(path.utf8)
        var baseCount = folderPath.count
        while baseCount > 1, folderPath[baseCount - 1] == slash { baseCount -= 1 }
        let base = folderPath[..<baseCount]
        let whole = Array(relative.utf8)
        let inside: ArraySlice<UInt8>
        if whole[...] == base {
            inside = whole[whole.endIndex...]
        } else if base.count == 1, base.first == slash, whole.first == slash {
            inside = whole.dropFirst()
        } else if whole.count > base.count, whole.starts(with: base), whole[base.count] == slash {
            inside = whole.dropFirst(base.count + 1)
        } else if whole.first == slash {
            throw FileSystemError(operation, path: relative, reason: .outsideFolder)
        } else {
            inside = whole[...]
        }
        var components: [String] = []
        var start = inside.startIndex
        while start < inside.endIndex {
            let end = inside[start...].firstIndex(of: slash) ?? inside.endIndex
            let component = inside[start..<end]
            start = end + 1
            // Empty names (`a//b`, a trailing `/`) and `.` are steps that go nowhere.
            guard !component.isEmpty, !(component.count == 1 && component.first == dot) else { continue }
            guard !(component.count == 2 && component.first == dot && component.last == dot) else {
                throw FileSystemError(operation, path: display(relative), reason: .outsideFolder)
            }
            // A String split at an ASCII byte stays valid UTF-8: decoding repairs nothing.
            components.append(String(decoding: component, as: UTF8.self))
        }
        return components
    }

    /// One step down: opens the folder `name` in this one without following a link (or following, for the path
    /// to a root).
    private func child(
        _ name: String,
        path built: String,
        creating: Bool,
        mode: FilePermissions,
        replacingLinks: Bool = false,
        following: Bool = false
    ) throws(FileSystemError) -> Folder {
        let flags = Flags.readOnly | Flags.directory | (following ? 0 : Flags.noFollow)
        var madeOne = false
        while true {
            switch Syscalls.open(name, relativeTo: descriptor, flags: flags) {
            case .success(let opened):
                return Folder(path: built, descriptor: opened)
            case .failure(.noSuchFileOrDirectory) where creating && !madeOne:
                switch Syscalls.makeFolder(name, relativeTo: descriptor, mode: mode.rawValue) {
                case .success, .failure(.fileExists): madeOne = true
                case .failure(let code): throw FileSystemError("mkdir", path: built, errno: code)
                }
            case .failure(let code) where code == .tooManySymbolicLinkLevels || code == .notDirectory:
                // O_NOFOLLOW on a link answers ELOOP; a file where a folder belongs, ENOTDIR.
                let kind = try? status(name)?.kind
                guard replacingLinks, kind == .symbolicLink, !madeOne else {
                    throw FileSystemError("open folder", path: built, errno: kind == .symbolicLink ? .tooManySymbolicLinkLevels : .notDirectory)
                }
                try remove(name)
                switch Syscalls.makeFolder(name, relativeTo: descriptor, mode: mode.rawValue) {
                case .success, .failure(.fileExists): madeOne = true
                case .failure(let code): throw FileSystemError("mkdir", path: built, errno: code)
                }
            case .failure(let code):
                throw FileSystemError("open folder", path: built, errno: code)
            }
        }
    }

    /// `/`, for walking to a root.
    static var root: Folder {
        get throws(FileSystemError) {
            switch Syscalls.open("/", relativeTo: currentDirectory, flags: Flags.readOnly | Flags.directory) {
            case .success(let descriptor): return Folder(path: "", descriptor: descriptor)
            case .failure(let code): throw FileSystemError("open folder", path: "/", errno: code)
            }
        }
    }

    /// The process's current folder, for walking to a relative root.
    static var current: Folder {
        get throws(FileSystemError) {
            switch Syscalls.open(".", relativeTo: currentDirectory, flags: Flags.readOnly | Flags.directory) {
            case .success(let descriptor): return Folder(path: ".", descriptor: descriptor)
            case .failure(let code): throw FileSystemError("open folder", path: ".", errno: code)
            }
        }
    }
}
