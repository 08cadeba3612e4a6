package import SystemPackage

/// Operations on a path given whole, for places the administrator owns (the configuration, key files, the
/// state folder's root, /proc): the folders on the way are followed even when they are links, the last name
/// never is. Inside an inbox, an outbox or the state folder, open the root as a ``Folder`` and work relative to
/// it instead.
package enum Files {
    /// The folder holding `path` and its last name.
    static func place(_ path: String, operation: String) throws(FileSystemError) -> (folder: Folder, name: String) {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return (try Folder.open("."), trimmed) }
        let name = String(trimmed[trimmed.index(after: slash)...])
        guard !name.isEmpty, name != "..", name != "." else { throw FileSystemError(operation, path: path, reason: .outsideFolder) }
        let folder = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        do {
            return (try Folder.open(folder), name)
        } catch {
            // Name the file the caller asked for: its folder is missing or unusable.
            throw FileSystemError(operation, path: path, reason: error.reason)
        }
    }

    /// What `lstat` (or, `followingLinks`, `stat`) says about `path`; nil when nothing has that name.
    package static func status(_ path: String, followingLinks: Bool = false) throws(FileSystemError) -> FileStatus? {
        switch Syscalls.status(path, relativeTo: currentDirectory, follow: followingLinks) {
        case .success(let info): return Syscalls.snapshot(info)
        case .failure(.noSuchFileOrDirectory): return nil
        case .failure(let code): throw FileSystemError(followingLinks ? "stat" : "lstat", path: path, errno: code)
        }
    }

    /// What `fstat` says about a descriptor the process inherited (standard error, say); nil when it is closed.
    package static func status(ofDescriptor descriptor: Int32) -> FileStatus? {
        try? Syscalls.snapshot(Syscalls.status(FileDescriptor(rawValue: descriptor)).get())
    }

    /// Whether anything, a dangling link included, has the name `path`; with `followingLinks`, whether a link
    /// there leads to something.
    package static func exists(_ path: String, followingLinks: Bool = false) -> Bool {
        guard case .some(.some) = try? status(path, followingLinks: followingLinks) else { return false }
        return true
    }

    /// Reads the regular file `path` of at most `limit` bytes (see ``Folder/read(_:limit:singleName:followingLink:)``).
    package static func read(_ path: String, limit: Int, singleName: Bool = false, followingLink: Bool = false) throws(FileSystemError) -> [UInt8] {
        let place = try place(path, operation: "open")
        return try place.folder.read(place.name, limit: limit, singleName: singleName, followingLink: followingLink)
    }

    /// The entries of the folder `path`.
    package static func entries(_ path: String) throws(FileSystemError) -> [FolderEntry] {
        try Folder.open(path).entries()
    }

    /// Makes the folder `path` and any missing parents (`mode` for each new one) and opens it.
    @discardableResult
    package static func makeFolders(_ path: String, mode: FilePermissions = .privateFolder) throws(FileSystemError) -> Folder {
        try Folder.open(path, creating: true, mode: mode)
    }

    /// Writes a new file durably (see ``Folder/create(_:bytes:mode:durably:)``).
    package static func create(
        _ path: String,
        bytes: [UInt8],
        mode: FilePermissions = .sharedFile
    )
        throws(FileSystemError)
    {
        let place = try place(path, operation: "create")
        try place.folder.create(place.name, bytes: bytes, mode: mode)
    }

    /// Replaces a file atomically, and durably unless told otherwise (see ``Folder/replace(_:bytes:mode:temporaryName:syncingFolder:durably:)``).
    package static func replace(
        _ path: String,
        bytes: [UInt8],
        mode: FilePermissions = .sharedFile,
        temporaryName: String? = nil,
        durably: Bool = true
    ) throws(FileSystemError) {
        let place = try place(path, operation: "create")
        try place.folder.replace(place.name, bytes: bytes, mode: mode, temporaryName: temporaryName, durably: durably)
    }

    /// Creates (or truncates) the file `path` for writing from its start, never through a link at that name.
    package static func createForWriting(_ path: String, mode: FilePermissions = .privateFile) throws(FileSystemError) -> OpenFile {
        let place = try place(path, operation: "create")
        let flags = Flags.writeOnly | Flags.create | Flags.truncate | Flags.noFollow
        switch Syscalls.open(place.name, relativeTo: place.folder.descriptor, flags: flags, mode: mode.rawValue) {
        case .success(let descriptor): return OpenFile(path: path, descriptor: descriptor)
        case .failure(let code): throw FileSystemError("create", path: path, errno: code)
        }
    }

    /// Opens (creating, mode 0600) the file `path` for reads and writes at offsets, never through a link there.
    package static func openFile(_ path: String) throws(FileSystemError) -> OpenFile {
        let place = try place(path, operation: "open")
        return try place.folder.openFile(place.name)
    }

    /// Makes the folder `path`; false when something already has that name.
    @discardableResult
    package static func makeFolder(_ path: String, mode: FilePermissions = .privateFolder) throws(FileSystemError) -> Bool {
        let place = try place(path, operation: "mkdir")
        return try place.folder.makeFolder(place.name, mode: mode)
    }

    /// The names in the folder `path` that are valid UTF-8, or nil when it cannot be listed.
    package static func names(in path: String) -> [String]? {
        (try? entries(path))?.compactMap(\.name)
    }

    /// Takes an exclusive, non-blocking `flock` on `path` (created, mode 0600, never through a link there), held
    /// while the returned file is open (see ``Folder/lock(_:)``).
    package static func lock(_ path: String) throws(FileSystemError) -> OpenFile {
        let place = try place(path, operation: "open")
        return try place.folder.lock(place.name)
    }

    /// Removes the file or link `path`; one already gone is not an error.
    package static func remove(_ path: String) throws(FileSystemError) {
        let found: (folder: Folder, name: String)
        do { found = try place(path, operation: "unlink") } catch  where error.isNotFound { return }
        try found.folder.remove(found.name)
    }

    /// Removes `path` and everything in it, following no link inside.
    package static func removeTree(_ path: String) throws(FileSystemError) {
        let found: (folder: Folder, name: String)
        do { found = try place(path, operation: "unlink") } catch  where error.isNotFound { return }
        try found.folder.removeTree(found.name)
    }

    /// Renames `path` to `destination` (see ``Folder/move(_:to:in:replacing:)``).
    @discardableResult
    package static func move(_ path: String, to destination: String, replacing: Bool) throws(FileSystemError) -> Bool {
        let source = try place(path, operation: "rename")
        let target = try place(destination, operation: "rename")
        return try source.folder.move(source.name, to: target.name, in: target.folder, replacing: replacing)
    }

    /// What the link `path` points to (its bytes), or nil when it is not a link or cannot be read.
    package static func linkTarget(_ path: String) -> [UInt8]? {
        try? Syscalls.linkTarget(path).get()
    }

    /// The first line of a small text file (a /proc setting), or nil.
    package static func readSetting(_ path: String) -> String? {
        guard let bytes = try? readProcFile(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init)
    }

    /// A file in /proc (its size is 0 to `stat`, so it is read to its end, or to `limit` bytes).
    package static func readProcFile(_ path: String, limit: Int = 4096) throws(FileSystemError) -> [UInt8] {
        switch Syscalls.open(path, relativeTo: currentDirectory, flags: Flags.readOnly) {
        case .success(let descriptor):
            let file = OpenFile(path: path, descriptor: descriptor)
            return try file.read(limit: limit)
        case .failure(let code):
            throw FileSystemError("open", path: path, errno: code)
        }
    }

    /// Sets FD_CLOEXEC on a descriptor a C library opened, so it does not leak into child processes.
    package static func setCloseOnExec(_ descriptor: Int32) throws(FileSystemError) {
        if case .failure(let code) = Syscalls.setCloseOnExec(descriptor) {
            throw FileSystemError("fcntl", path: "descriptor \(descriptor)", errno: code)
        }
    }

    /// This machine's host name, or "localhost" when it cannot be read.
    package static func hostName() -> String { Syscalls.hostName() ?? "localhost" }

    /// The process's current folder, for turning a relative path absolute.
    package static func currentFolder() -> String { Syscalls.currentFolder() ?? "/" }
}
