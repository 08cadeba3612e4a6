import FileSystem
import Foundation
import Synchronization

/// One daemon per state folder: an exclusive `flock` on `<state>/lock`, held until the process ends.
///
/// `flock` is released by the kernel when the process dies, even by `kill -9`, so a crash never leaves a
/// stale lock behind. The holder writes its PID into the file so the refusal can name it.
package final class InstanceLock: Sendable {
    private let file: Mutex<OpenFile?>
    package let path: String

    /// Takes the lock or fails with ``DaemonError/alreadyRunning(lock:holder:)``.
    package init(path: String) throws(DaemonError) {
        self.path = path
        do {
            let file = try Files.lock(path)
            try? file.truncate(to: 0)
            try? file.write(Array("\(ProcessInfo.processInfo.processIdentifier)\n".utf8), at: 0)
            self.file = Mutex(file)
        } catch  where error.isWouldBlock {
            let holder = (try? Files.read(path, limit: 64)).map { String(decoding: $0, as: UTF8.self) }?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw .alreadyRunning(lock: path, holder: holder.flatMap { Int32($0) })
        } catch {
            throw .stateUnusable(path: path, reason: error.reasonText)
        }
    }

    /// Whether a daemon holds the lock at `path`, for the commands that run beside one (`status`, `cancel`): probed by
    /// taking it for a moment. A missing file means no daemon made it, and it is not created, so a command run by
    /// another user (root) never leaves a lock file the service user cannot open.
    package static func isHeld(at path: String) -> Bool {
        guard Files.exists(path) else { return false }
        do {
            try InstanceLock(path: path).release()
            return false
        } catch {
            return true
        }
    }

    /// Releases the lock early (it is released anyway when the process exits).
    package func release() {
        // Closing the file releases the lock.
        file.withLock { $0 = nil }
    }

    deinit {
        release()
    }
}
