#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every system call of the outbox, so the rest of the module sees paths and byte arrays only.
enum FileSystem {
    /// Writes `bytes` to a new file (it must not exist; links are never followed) and flushes it to disk.
    static func createDurably(_ path: String, bytes: [UInt8], mode: mode_t = 0o644) throws(OutboxError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .system(operation: "create", path: path, errno: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw .system(operation: "fsync", path: path, errno: errno) }
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
    static func appendLine(_ bytes: [UInt8], to path: String) throws(OutboxError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
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
    /// its size is capped before a byte is read.
    static func readRegularFile(_ path: String, maxBytes: Int) throws(InputFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP { throw .notRegularFile(path) }
            throw .unreadable(path, describe(errno: errno))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path, describe(errno: errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notRegularFile(path) }
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
