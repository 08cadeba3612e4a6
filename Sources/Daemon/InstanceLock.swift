import Foundation
import Synchronization

/// One daemon per state folder: an exclusive `flock` on `<state>/lock`, held until the process ends.
///
/// `flock` is released by the kernel when the process dies, even by `kill -9`, so a crash never leaves a
/// stale lock behind. The holder writes its PID into the file so the refusal can name it.
package final class InstanceLock: Sendable {
    private let descriptor: Mutex<Int32?>
    package let path: String

    /// Takes the lock or fails with ``DaemonError/alreadyRunning(lock:holder:)``.
    package init(path: String) throws(DaemonError) {
        self.path = path
        switch POSIX.lockFile(path) {
        case .success(let descriptor):
            POSIX.overwrite(descriptor, with: "\(POSIX.processID)\n")
            self.descriptor = Mutex(descriptor)
        case .failure(let failure) where POSIX.isWouldBlock(failure):
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .alreadyRunning(lock: path, holder: holder.flatMap { Int32($0) })
        case .failure(let failure):
            throw .stateUnusable(path: path, reason: failure.description)
        }
    }

    /// Releases the lock early (it is released anyway when the process exits).
    package func release() {
        descriptor.withLock { descriptor in
            if let open = descriptor { POSIX.closeDescriptor(open) }
            descriptor = nil
        }
    }

    deinit {
        release()
    }
}
