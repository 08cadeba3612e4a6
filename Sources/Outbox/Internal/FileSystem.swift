import Glibc

/// Every system call of the outbox, so the rest of the module sees paths and byte arrays only.
enum FileSystem {
    /// Writes `bytes` to a new file (it must not exist; links are never followed) and flushes it to disk.
    /// A file that could not be written whole (ENOSPC, EIO) is removed again, so a full disk does not also
    /// collect half-written files.
    static func createDurably(_ path: String, bytes: [UInt8], mode: mode_t = 0o644) throws(OutboxError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .system(operation: "create", path: path, errno: errno) }
        var failure: OutboxError?
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                failure = .system(operation: "write", path: path, errno: errno)
                break
            }
            offset += written
        }
        if failure == nil, fsync(fd) != 0 { failure = .system(operation: "fsync", path: path, errno: errno) }
        close(fd)
        if let failure {
            unlink(path)
            throw failure
        }
    }

    /// Flushes a directory, so a rename or a new entry in it survives a crash.
    static func syncDirectory(_ path: String) throws(OutboxError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open directory", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .system(operation: "fsync directory", path: path, errno: errno) }
    }

    /// Renames atomically; fails when `destination` exists and is a non-empty directory.
    static func rename(_ source: String, to destination: String) throws(OutboxError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw .system(operation: "rename", path: destination, errno: errno)
        }
    }

    /// Renames a directory into place only if nothing has that name yet. Returns false when it exists.
    static func renameIfAbsent(_ source: String, to destination: String) throws(OutboxError) -> Bool {
        // renameat2(RENAME_NOREPLACE) is not exposed by Glibc's module; mkdir-then-rename over the empty
        // placeholder gives the same guarantee: mkdir claims the name atomically.
        if mkdir(destination, 0o755) != 0 {
            if errno == EEXIST { return false }
            throw .system(operation: "mkdir", path: destination, errno: errno)
        }
        do {
            try rename(source, to: destination)
        } catch {
            rmdir(destination)
            throw error
        }
        return true
    }

    /// Creates `path` and any missing parents, where every folder below `root` must be a real folder.
    ///
    /// `root` (the outbox) and the path above it are trusted: the outbox itself may well be a link to
    /// another disk. Below it nothing is followed: a symbolic link found where a folder belongs (planted
    /// to send outputs out of the outbox) is removed and replaced by a real folder; anything else there
    /// that is not a folder is an error.
    static func makeDirectories(_ path: String, below root: String) throws(OutboxError) {
        // Every delivery passes here several times: an existing root costs one stat, not a mkdir per component.
        if !isDirectory(root) { try makeDirectories(root) }
        var current = root
        while current.count > 1, current.hasSuffix("/") { current.removeLast() }
        guard path != current else { return }
        guard path.hasPrefix(current + "/") else {
            throw .system(operation: "mkdir (outside \(root))", path: path, errno: EINVAL)
        }
        for component in path.dropFirst(current.count + 1).split(separator: "/") {
            current += "/" + component
            try makeRealDirectory(current)
        }
    }

    /// Makes sure `path` is a folder itself, not a link to one.
    private static func makeRealDirectory(_ path: String) throws(OutboxError) {
        // The common case, a folder already there, in one lstat and without a failing mkdir.
        if isRealDirectory(path) { return }
        if mkdir(path, 0o755) == 0 { return }
        guard errno == EEXIST else { throw .system(operation: "mkdir", path: path, errno: errno) }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .system(operation: "lstat", path: path, errno: errno) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            return
        case S_IFLNK:
            guard unlink(path) == 0 || errno == ENOENT else { throw .system(operation: "unlink", path: path, errno: errno) }
            guard mkdir(path, 0o755) == 0 else { throw .system(operation: "mkdir", path: path, errno: errno) }
        default:
            throw .system(operation: "mkdir", path: path, errno: ENOTDIR)
        }
    }

    /// Whether `path` is a folder or a link to one.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` is a folder itself (a link to one does not count).
    static func isRealDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The real folders (not links) directly inside `path`.
    static func realSubdirectories(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var folders: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name != ".", name != ".." else { continue }
            if isRealDirectory("\(path)/\(name)") { folders.append("\(path)/\(name)") }
        }
        return folders
    }

    /// Whether anything, a dangling link included, has the name `path`.
    static func entryExists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Removes `path` if it is a symbolic link; says whether it was one.
    static func removeIfLink(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return false }
        return unlink(path) == 0
    }

    /// Creates a directory and any missing parents.
    static func makeDirectories(_ path: String) throws(OutboxError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw .system(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    /// Appends one line with a single `write` to a file opened with `O_APPEND`, so concurrent writers
    /// never interleave within a line.
    /// A symbolic link at the log's name is replaced by the log, never followed.
    static func appendLine(_ bytes: [UInt8], to path: String) throws(OutboxError) {
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC
        var fd = open(path, flags, 0o644)
        if fd < 0, errno == ELOOP, removeIfLink(path) { fd = open(path, flags, 0o644) }
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw .system(operation: "append", path: path, errno: errno) }
    }

    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}

extension FileSystem {
    /// Reads a regular file of at most `maxBytes`, refusing links, FIFOs, devices and directories.
    ///
    /// Files in a shared inbox are untrusted: the file is opened with `O_NOFOLLOW | O_NONBLOCK` (a FIFO
    /// cannot block the open), checked with `fstat` on the open descriptor (no race with a swap), and
    /// its size is capped before a byte is read. With `singleName`, a file that has other names (hard links) is refused as well, before it is read.
    static func readRegularFile(_ path: String, maxBytes: Int, singleName: Bool) throws(InputFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP { throw .notRegularFile(path) }
            throw .unreadable(path, describe(errno: errno))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path, describe(errno: errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notRegularFile(path) }
        guard !singleName || info.st_nlink <= 1 else { throw .hardLinked(path, links: Int(info.st_nlink)) }
        let size = Int(info.st_size)
        guard size <= maxBytes else { throw .tooLarge(path, size: size, limit: maxBytes) }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + offset, size - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path, describe(errno: errno))
            }
            if count == 0 { break }
            offset += count
        }
        // A file that shrank while it was read is not what the producer meant to drop.
        guard offset == size else { throw .changedWhileReading(path) }
        return bytes
    }
}
