import Dispatch
import Foundation
import Synchronization

/// An operating-system thread of facedrop's own, for work that blocks in C: libinotifytools' `select()`,
/// libcurl's `curl_multi_poll`, SQLite's `fsync`, file steps that wait on the disk.
///
/// Swift's cooperative pool has one thread per core; a blocking call there takes a core's only thread away
/// from every other task for as long as it waits. Such work gets a thread of its own instead, started here, so
/// every one is created, named and waited for the same way.
///
/// The thread names itself from inside, through the kernel, before `body` runs, so `top -H`, `ps -L` and
/// `/proc/<pid>/task/<tid>/comm` show what it is for (Linux keeps the first 15 bytes). Callers wait for its
/// end with ``join()`` from synchronous shutdown code, or ``exited()`` from a task, which suspends instead of
/// blocking.
///
/// ```swift
/// let thread = DedicatedThread.start(name: "facedrop-journal") { writer.run() }
/// writer.close()
/// thread.join()
/// ```
package final class DedicatedThread: Sendable {
    /// The name asked for; the kernel keeps ``kernelName``.
    package let name: String
    /// Entered before the thread starts and left when `body` has returned.
    private let running = DispatchGroup()
    /// Tasks waiting in ``exited()``, resumed by the thread as it ends; nil once it has.
    private let waiters = Mutex<[CheckedContinuation<Void, Never>]?>([])

    private init(name: String) {
        self.name = name
    }

    /// Starts a thread named `name` that runs `body` and then ends. Returns at once, without waiting for the
    /// thread to be scheduled.
    @discardableResult
    package static func start(name: String, _ body: @escaping @Sendable () -> Void) -> DedicatedThread {
        let thread = DedicatedThread(name: name)
        let running = thread.running
        running.enter()
        let system = Thread {
            ThreadName.setForCurrentThread(name)
            body()
            running.leave()
            for waiter in thread.waiters.withLock({ waiters in
                defer { waiters = nil }
                return waiters ?? []
            }) {
                waiter.resume()
            }
        }
        system.start()
        return thread
    }

    /// What the kernel shows for the thread: ``name`` cut to 15 bytes at a character boundary.
    package var kernelName: String {
        ThreadName.truncated(name)
    }

    /// Whether `body` has returned.
    package var hasExited: Bool {
        running.wait(timeout: .now()) == .success
    }

    /// Blocks the calling thread until `body` has returned. For synchronous shutdown paths and other dedicated
    /// threads; a task uses ``exited()``. Called from the thread itself, it would wait forever.
    package func join() {
        running.wait()
    }

    /// Suspends the calling task until `body` has returned; the task's thread stays free meanwhile. The ending
    /// thread resumes it itself (no libdispatch queue, see ``ThreadPoolExecutor`` for why).
    package func exited() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = waiters.withLock { waiters in
                guard waiters != nil else { return true }
                waiters?.append(continuation)
                return false
            }
            if ended { continuation.resume() }
        }
    }
}
