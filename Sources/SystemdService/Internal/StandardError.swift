import FileSystem
import Glibc
import Synchronization

/// Standard error as the log handler uses it: every POSIX call on descriptor 2 lives here.
enum StandardError {
    /// One writer at a time, so lines from different threads never interleave.
    private static let lock = Mutex(())

    /// `"<device>:<inode>"` of descriptor 2, the form `JOURNAL_STREAM` uses; nil when it is closed.
    static var identity: String? {
        guard let status = Files.status(ofDescriptor: STDERR_FILENO) else { return nil }
        return "\(status.device):\(status.inode)"
    }

    /// Writes the whole line, retrying short writes and EINTR; a line that cannot be written is dropped.
    @Sendable static func write(_ bytes: [UInt8]) {
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0, errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }
}
