package import SystemPackage

extension Folder {
    /// What `lstat` says about `relative` (a link is reported as a link); nil when nothing has that name.
    package func status(_ relative: String = ".") throws(FileSystemError) -> FileStatus? {
        let components = try components(relative, operation: "lstat")
        if components.isEmpty {
            switch Syscalls.status(descriptor) {
            case .success(let info): return Syscalls.snapshot(info)
            case .failure(let code): throw FileSystemError("fstat", path: path, errno: code)
            }
        }
        let place: (folder: Folder, name: String)
        do {
            place = try parent(of: relative, operation: "lstat")
        } catch  where error.isNotFound {
            return nil
        }
        switch Syscalls.status(place.name, relativeTo: place.folder.descriptor, follow: false) {
        case .success(let info): return Syscalls.snapshot(info)
        case .failure(.noSuchFileOrDirectory): return nil
        case .failure(let code): throw FileSystemError("lstat", path: display(relative), errno: code)
        }
    }

    /// The entries of the folder `relative` (this one by default), without `.` and `..`, in `readdir` order.
    package func entries(_ relative: String = ".") throws(FileSystemError) -> [FolderEntry] {
        let listed = try components(relative, operation: "open folder").isEmpty ? self : folder(relative)
        // `fdopendir` takes the descriptor over: list a fresh one, so this folder's stays open.
        let fresh: FileDescriptor
        switch Syscalls.open(".", relativeTo: listed.descriptor, flags: Flags.readOnly | Flags.directory) {
        case .success(let opened): fresh = opened
        case .failure(let code): throw FileSystemError("open folder", path: display(relative), errno: code)
        }
        switch Syscalls.entries(fresh) {
        case .success(let entries): return entries.map { FolderEntry(bytes: $0.name, kind: Syscalls.kind(entryType: $0.type)) }
        case .failure(let code): throw FileSystemError("readdir", path: display(relative), errno: code)
        }
    }

    /// The names in the folder `relative` that are valid UTF-8 (see ``entries(_:)``).
    package func names(_ relative: String = ".") throws(FileSystemError) -> [String] {
        try entries(relative).compactMap(\.name)
    }

    /// Whether `relative` is a folder itself (a link to one does not count).
    package func isFolder(_ relative: String) -> Bool {
        (try? status(relative))??.kind == .directory
    }

    /// Reads the regular file `relative`, of at most `limit` bytes.
    ///
    /// Files in a shared folder are untrusted: `O_NOFOLLOW | O_NONBLOCK` keeps a link from being followed and a
    /// FIFO from blocking the open, `fstat` on the open descriptor checks the very file that is read, and the
    /// size is capped before a byte is read. With `singleName`, a file with other names (hard links, perhaps to
    /// a file outside the folder) is refused too. `followingLink` lets a link at the last name be followed, for
    /// files the administrator names (a configuration or key file kept elsewhere).
    package func read(_ relative: String, limit: Int, singleName: Bool = false, followingLink: Bool = false) throws(FileSystemError) -> [UInt8] {
        let shown = display(relative)
        let place = try parent(of: relative, operation: "open")
        let file: FileDescriptor
        let flags = Flags.readOnly | Flags.nonBlocking | (followingLink ? 0 : Flags.noFollow)
        switch Syscalls.open(place.name, relativeTo: place.folder.descriptor, flags: flags) {
        case .success(let opened): file = opened
        case .failure(.tooManySymbolicLinkLevels): throw FileSystemError("open", path: shown, reason: .notRegularFile)
        case .failure(let code): throw FileSystemError("open", path: shown, errno: code)
        }
        defer { Syscalls.close(file) }
        let info: FileStatus
        switch Syscalls.status(file) {
        case .success(let raw): info = Syscalls.snapshot(raw)
        case .failure(let code): throw FileSystemError("fstat", path: shown, errno: code)
        }
        guard info.kind == .regular else { throw FileSystemError("open", path: shown, reason: .notRegularFile) }
        guard !singleName || info.linkCount <= 1 else {
            throw FileSystemError("open", path: shown, reason: .hardLinked(links: info.linkCount))
        }
        guard info.size <= Int64(limit) else {
            throw FileSystemError("read", path: shown, reason: .tooLarge(size: info.size, limit: limit))
        }
        let size = Int(info.size)
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let result = bytes.withUnsafeMutableBytes { raw in
                Syscalls.read(file, into: UnsafeMutableRawBufferPointer(rebasing: raw[offset...]))
            }
            switch result {
            case .success(0): throw FileSystemError("read", path: shown, reason: .changedWhileReading)
            case .success(let count): offset += count
            case .failure(let code): throw FileSystemError("read", path: shown, errno: code)
            }
        }
        return bytes
    }

    /// Writes `bytes` to the new file `relative` (nothing may have that name; a link there is not followed);
    /// with `durably`, flushes it to disk. A file that could not be written whole (ENOSPC, EIO) is removed again,
    /// so a full disk does not also collect half-written files.
    package func create(
        _ relative: String,
        bytes: [UInt8],
        mode: FilePermissions = .sharedFile,
        durably: Bool = true
    ) throws(FileSystemError) {
        let place = try parent(of: relative, operation: "create")
        let flags = Flags.writeOnly | Flags.create | Flags.exclusive | Flags.noFollow
        let file: FileDescriptor
        switch Syscalls.open(place.name, relativeTo: place.folder.descriptor, flags: flags, mode: mode.rawValue) {
        case .success(let opened): file = opened
        case .failure(let code): throw FileSystemError("create", path: display(relative), errno: code)
        }
        var failure: FileSystemError?
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw in Syscalls.write(file, UnsafeRawBufferPointer(rebasing: raw[offset...])) }
            switch result {
            case .success(let count): offset += count
            case .failure(let code): failure = FileSystemError("write", path: display(relative), errno: code)
            }
            if failure != nil { break }
        }
        if failure == nil, durably, case .failure(let code) = Syscalls.sync(file) {
            failure = FileSystemError("fsync", path: display(relative), errno: code)
        }
        Syscalls.close(file)
        if let failure {
            _ = Syscalls.unlink(place.name, relativeTo: place.folder.descriptor, folderItself: false)
            throw failure
        }
    }

    /// Replaces the file `relative` atomically and durably: a temporary file beside it, flushed, renamed over it,
    /// and the folder flushed. Readers see the old content or the new, never a part; a crash leaves one of them.
    /// `temporaryName` is the name used before the rename (`.<name>.tmp` by default); writers that may race each
    /// other give each write its own. Without `syncingFolder` the folder is not flushed: the new content is whole
    /// on disk before the rename, but a power loss may leave the previous content under the name (never a part of
    /// either), for a file the next write brings up to date anyway. Without `durably` nothing is flushed at all
    /// and the call never waits on the disk: still atomic for readers, but a power loss may leave the file empty,
    /// for a file that is only a snapshot rewritten every few seconds.
    package func replace(
        _ relative: String,
        bytes: [UInt8],
        mode: FilePermissions = .sharedFile,
        temporaryName: String? = nil,
        syncingFolder: Bool = true,
        durably: Bool = true
    ) throws(FileSystemError) {
        let place = try parent(of: relative, operation: "create")
        let temporary = temporaryName ?? ".\(place.name).tmp"
        _ = Syscalls.unlink(temporary, relativeTo: place.folder.descriptor, folderItself: false)
        try place.folder.create(temporary, bytes: bytes, mode: mode, durably: durably)
        do {
            try place.folder.move(temporary, to: place.name, replacing: true)
        } catch {
            _ = Syscalls.unlink(temporary, relativeTo: place.folder.descriptor, folderItself: false)
            throw error
        }
        if syncingFolder, durably { try place.folder.sync() }
    }

    /// Appends `bytes` with a single `write` to `relative` opened with `O_APPEND`, so concurrent writers never
    /// interleave within a line. A link at that name is replaced by the file, never followed.
    package func append(
        _ relative: String,
        bytes: [UInt8],
        mode: FilePermissions = .sharedFile
    )
        throws(FileSystemError)
    {
        let place = try parent(of: relative, operation: "open")
        let flags = Flags.writeOnly | Flags.create | Flags.append | Flags.noFollow
        var opened = Syscalls.open(place.name, relativeTo: place.folder.descriptor, flags: flags, mode: mode.rawValue)
        if case .failure(.tooManySymbolicLinkLevels) = opened, (try? place.folder.status(place.name))??.kind == .symbolicLink {
            try place.folder.remove(place.name)
            opened = Syscalls.open(place.name, relativeTo: place.folder.descriptor, flags: flags, mode: mode.rawValue)
        }
        let file: FileDescriptor
        switch opened {
        case .success(let descriptor): file = descriptor
        case .failure(let code): throw FileSystemError("open", path: display(relative), errno: code)
        }
        defer { Syscalls.close(file) }
        switch bytes.withUnsafeBytes({ Syscalls.write(file, $0) }) {
        case .success(let count) where count == bytes.count: return
        case .success: throw FileSystemError("append", path: display(relative), errno: .noSpace)
        case .failure(let code): throw FileSystemError("append", path: display(relative), errno: code)
        }
    }

    /// Makes the folder `relative`; false when something already has that name.
    @discardableResult
    package func makeFolder(_ relative: String, mode: FilePermissions = .privateFolder) throws(FileSystemError) -> Bool {
        let place = try parent(of: relative, operation: "mkdir")
        switch Syscalls.makeFolder(place.name, relativeTo: place.folder.descriptor, mode: mode.rawValue) {
        case .success: return true
        case .failure(.fileExists): return false
        case .failure(let code): throw FileSystemError("mkdir", path: display(relative), errno: code)
        }
    }

    /// Renames `relative` to `destination` (relative to `folder`, this one by default).
    ///
    /// With `replacing`, a file at `destination` is replaced atomically. Without it, nothing that has the name is
    /// ever replaced and the answer is false then: `renameat2(RENAME_NOREPLACE)` where the file system has it;
    /// on NFS, SMB and FUSE shares, which answer EINVAL, a hard link then unlink for a file and an empty
    /// placeholder folder renamed over for a folder (`mkdir` claims the name atomically) do the same.
    @discardableResult
    package func move(_ relative: String, to destination: String, in folder: Folder? = nil, replacing: Bool) throws(FileSystemError) -> Bool {
        let source = try parent(of: relative, operation: "rename")
        let target = try (folder ?? self).parent(of: destination, operation: "rename")
        let shown = (folder ?? self).display(destination)
        func rename(noReplace: Bool) -> Result<Void, Errno> {
            Syscalls.rename(source.name, relativeTo: source.folder.descriptor, to: target.name, relativeTo: target.folder.descriptor, noReplace: noReplace)
        }
        if replacing {
            guard case .failure(let code) = rename(noReplace: false) else { return true }
            throw FileSystemError("rename", path: display(relative), errno: code)
        }
        switch rename(noReplace: true) {
        case .success: return true
        case .failure(.fileExists), .failure(.directoryNotEmpty): return false
        case .failure(let code) where code == .invalidArgument || code == .noFunction || code == .notSupported:
            break
        case .failure(let code): throw FileSystemError("rename", path: display(relative), errno: code)
        }
        // The file system has no RENAME_NOREPLACE.
        if try source.folder.status(source.name)?.kind == .directory {
            guard try target.folder.makeFolder(target.name) else { return false }
            guard case .failure(let code) = rename(noReplace: false) else { return true }
            try? target.folder.removeFolder(target.name)
            throw FileSystemError("rename", path: display(relative), errno: code)
        }
        switch Syscalls.link(source.name, relativeTo: source.folder.descriptor, to: target.name, relativeTo: target.folder.descriptor) {
        case .success:
            try source.folder.remove(source.name)
            return true
        case .failure(.fileExists):
            return false
        case .failure(let code) where [.notPermitted, .notSupported, .notSupportedOnSocket, .noFunction, .tooManyLinks].contains(code):
            // No hard links either: check, then rename (the last resort has a window).
            if try target.folder.status(target.name) != nil { return false }
            guard case .failure(let code) = rename(noReplace: false) else { return true }
            throw FileSystemError("rename", path: display(relative), errno: code)
        case .failure(let code):
            throw FileSystemError("link", path: shown, errno: code)
        }
    }

    /// Removes the file or link `relative`; one already gone is not an error.
    package func remove(_ relative: String) throws(FileSystemError) {
        let place: (folder: Folder, name: String)
        do { place = try parent(of: relative, operation: "unlink") } catch  where error.isNotFound { return }
        switch Syscalls.unlink(place.name, relativeTo: place.folder.descriptor, folderItself: false) {
        case .success, .failure(.noSuchFileOrDirectory): return
        case .failure(let code): throw FileSystemError("unlink", path: display(relative), errno: code)
        }
    }

    /// Removes the empty folder `relative`; one already gone is not an error.
    package func removeFolder(_ relative: String) throws(FileSystemError) {
        let place: (folder: Folder, name: String)
        do { place = try parent(of: relative, operation: "rmdir") } catch  where error.isNotFound { return }
        switch Syscalls.unlink(place.name, relativeTo: place.folder.descriptor, folderItself: true) {
        case .success, .failure(.noSuchFileOrDirectory): return
        case .failure(let code): throw FileSystemError("rmdir", path: display(relative), errno: code)
        }
    }

    /// Removes `relative` and, when it is a folder, everything in it; links inside are removed, never followed.
    ///
    /// A folder still not empty once its entries are removed is emptied again, after a pause that grows from 1 ms
    /// (about half a second in all, see ``emptyingPauses``): something was put in it meanwhile, or, on a FUSE share
    /// (sshfs), a file another thread of this process had open was not removed but renamed to `.fuse_hidden…`. FUSE
    /// removes that file when the last handle on it closes, but not when the close races the removal: it is then
    /// left for good, a plain file with no handle, and the next pass removes it by its name.
    package func removeTree(_ relative: String) throws(FileSystemError) {
        guard let info = try status(relative) else { return }
        guard info.kind == .directory else { return try remove(relative) }
        let inside = try folder(relative)
        var pauses = Self.emptyingPauses[...]
        while true {
            for entry in try inside.entries() {
                // A name that is not UTF-8 cannot be spelled as a String path: such a folder cannot be emptied here.
                guard let name = entry.name else {
                    throw FileSystemError("unlink", path: inside.path, reason: .notRegularFile)
                }
                try inside.removeTree(name)
            }
            do {
                return try removeFolder(relative)
            } catch {
                guard error.errno == .directoryNotEmpty, let pause = pauses.popFirst() else { throw error }
                Syscalls.pause(pause)
            }
        }
    }

    /// The pauses before ``removeTree(_:)`` empties a folder again: 1 ms doubling to 256 ms, 511 ms in all.
    static let emptyingPauses: [Duration] = (0..<9).map { .milliseconds(1 << $0) }

    /// Flushes this folder, so a rename or a new entry in it survives a crash.
    package func sync() throws(FileSystemError) {
        if case .failure(let code) = Syscalls.sync(descriptor) { throw FileSystemError("fsync folder", path: path, errno: code) }
    }

    /// Opens (creating, mode 0600) the file `relative` for reading and writing at offsets, never through a link.
    package func openFile(_ relative: String) throws(FileSystemError) -> OpenFile {
        let place = try parent(of: relative, operation: "open")
        switch Syscalls.open(place.name, relativeTo: place.folder.descriptor, flags: Flags.readWrite | Flags.create | Flags.noFollow, mode: 0o600) {
        case .success(let descriptor): return OpenFile(path: display(relative), descriptor: descriptor)
        case .failure(let code): throw FileSystemError("open", path: display(relative), errno: code)
        }
    }

    /// Opens (creating) `relative` and takes an exclusive, non-blocking `flock` on it, held while the returned
    /// file is open. Another holder makes it fail with ``FileSystemError/isWouldBlock``.
    package func lock(_ relative: String) throws(FileSystemError) -> OpenFile {
        let file = try openFile(relative)
        if case .failure(let code) = Syscalls.lock(file.descriptor) { throw FileSystemError("flock", path: file.path, errno: code) }
        return file
    }
}
