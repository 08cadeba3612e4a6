import Glibc

/// A failed system call: which one, on what, and its errno.
struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    var operation: String
    var path: String
    var code: Int32

    /// The path (or a parent folder) does not exist.
    var isNotFound: Bool { code == ENOENT }
    /// Something already has that name.
    var isAlreadyExisting: Bool { code == EEXIST || code == ENOTEMPTY }

    var description: String {
        "\(operation) \(path): \(FileSystem.describe(errno: code))"
    }

    /// Something other than a directory sits where one is needed.
    static func notADirectory(_ operation: String, path: String) -> SystemCallError {
        SystemCallError(operation: operation, path: path, code: ENOTDIR)
    }

    /// A path that is not what the operation accepts.
    static func invalidPath(_ operation: String, path: String) -> SystemCallError {
        SystemCallError(operation: operation, path: path, code: EINVAL)
    }
}

/// Every system call of the module, so the rest of it sees paths, snapshots and byte arrays only.
enum FileSystem {
    static func lstat(_ path: String) -> FileSnapshot? {
        var info = stat()
        guard Glibc.lstat(path, &info) == 0 else { return nil }
        return FileSnapshot(
            path: path,
            size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec),
            inode: UInt64(info.st_ino),
            kind: kind(of: info.st_mode)
        )
    }

    static func kind(of mode: mode_t) -> FileSnapshot.Kind {
        switch mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFLNK: .symbolicLink
        case S_IFDIR: .directory
        case S_IFIFO: .fifo
        case S_IFSOCK: .socket
        case S_IFCHR: .characterDevice
        case S_IFBLK: .blockDevice
        default: .notRegular
        }
    }

    /// Whether `path` is a directory itself (a link to one does not count).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return Glibc.lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Reads a regular file of at most `maxBytes`; nil for anything else (gone, a link, a FIFO, too large,
    /// a second name elsewhere, unreadable).
    ///
    /// Inbox files are untrusted: `O_NOFOLLOW | O_NONBLOCK` keeps a link from being followed and a FIFO
    /// from blocking the open, and `fstat` on the open descriptor checks the very file that is read. A file
    /// with another name (a hard link) may be a file from outside the inbox and is not read either.
    static func readRegularFile(_ path: String, maxBytes: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_nlink <= 1 else { return nil }
        let size = Int(info.st_size)
        guard size <= maxBytes else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + offset, size - offset)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            offset += count
        }
        return offset == size ? bytes : nil
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(SystemCallError) {
        guard mkdir(path, mode) == 0 else { throw SystemCallError(operation: "mkdir", path: path, code: errno) }
    }

    /// Creates a directory and any missing parents.
    static func makeDirectories(_ path: String) throws(SystemCallError) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw SystemCallError(operation: "mkdir", path: current, code: errno)
            }
        }
    }

    /// Writes `bytes` to a new file (it must not exist; links are never followed) and flushes it to disk.
    static func createDurably(_ path: String, bytes: [UInt8]) throws(SystemCallError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemCallError(operation: "create", path: path, code: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(operation: "write", path: path, code: errno)
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw SystemCallError(operation: "fsync", path: path, code: errno) }
    }

    /// Renames atomically; replaces a file at `destination`.
    static func rename(_ source: String, to destination: String) throws(SystemCallError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw SystemCallError(operation: "rename", path: source, code: errno)
        }
    }

    /// Moves a file to `destination` unless something already has that name (then `isAlreadyExisting`).
    ///
    /// `link` then `unlink` refuses an existing name atomically (`renameat2(RENAME_NOREPLACE)` is not
    /// exposed by Swift's Glibc module). Filesystems without hard links fall back to a check and a rename.
    static func moveWithoutReplacing(_ source: String, to destination: String) throws(SystemCallError) {
        if link(source, destination) == 0 {
            try remove(source)
            return
        }
        let code = errno
        guard [EPERM, ENOTSUP, EOPNOTSUPP, ENOSYS, EMLINK, EXDEV].contains(code) else {
            throw SystemCallError(operation: "link", path: destination, code: code)
        }
        var info = stat()
        if Glibc.lstat(destination, &info) == 0 {
            throw SystemCallError(operation: "rename", path: destination, code: EEXIST)
        }
        try rename(source, to: destination)
    }

    /// Removes a file; a file that is already gone is not an error.
    static func remove(_ path: String) throws(SystemCallError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw SystemCallError(operation: "unlink", path: path, code: errno)
        }
    }

    /// Removes an empty directory; one that is already gone is not an error.
    static func removeDirectory(_ path: String) throws(SystemCallError) {
        guard rmdir(path) == 0 || errno == ENOENT else {
            throw SystemCallError(operation: "rmdir", path: path, code: errno)
        }
    }

    /// Flushes a directory, so a rename or a new entry in it survives a crash.
    static func syncDirectory(_ path: String) throws(SystemCallError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemCallError(operation: "open directory", path: path, code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SystemCallError(operation: "fsync directory", path: path, code: errno) }
    }

    /// The names in a directory, without `.` and `..`; nil when it cannot be listed.
    static func entries(of path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// This machine's host name, or "localhost" when it cannot be read.
    static func hostName() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let result = buffer.withUnsafeMutableBufferPointer { raw in
            raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { gethostname($0, raw.count - 1) }
        }
        guard result == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }

    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}
