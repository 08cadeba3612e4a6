import Glibc

/// Every system call of the Scheduling module: reading and writing the request window's file.
enum WindowFileIO {
    /// Opens (creating) `path` for reading and writing, never through a link; the descriptor or the errno.
    static func open(_ path: String) -> Result<Int32, WindowFileError> {
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return .failure(WindowFileError(path: path, code: errno)) }
        return .success(descriptor)
    }

    /// The whole file, up to `limit` bytes.
    static func readAll(_ descriptor: Int32, limit: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < limit {
            let count = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + total, limit - total, off_t(total))
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            total += count
        }
        return Array(bytes.prefix(total))
    }

    /// Writes `bytes` at `offset`; false when the system refused (the caller then stops writing).
    @discardableResult
    static func write(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                pwrite(descriptor, buffer.baseAddress! + done, bytes.count - done, off_t(offset + done))
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }

    static func truncate(_ descriptor: Int32, to size: Int) {
        _ = ftruncate(descriptor, off_t(size))
    }

    static func close(_ descriptor: Int32) {
        _ = Glibc.close(descriptor)
    }

    /// This boot's id (`/proc/sys/kernel/random/boot_id`), or empty when it cannot be read.
    static func bootID() -> String {
        guard case .success(let descriptor) = openReadOnly("/proc/sys/kernel/random/boot_id") else { return "" }
        defer { close(descriptor) }
        let bytes = readAll(descriptor, limit: 64)
        return String(decoding: bytes.filter { $0 > 0x20 && $0 < 0x7F }, as: UTF8.self)
    }

    private static func openReadOnly(_ path: String) -> Result<Int32, WindowFileError> {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(WindowFileError(path: path, code: errno)) }
        return .success(descriptor)
    }
}
