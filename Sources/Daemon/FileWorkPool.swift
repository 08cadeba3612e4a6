import DedicatedThreads
import Foundation
import Synchronization

/// A few threads of the daemon's own for file work that waits on the disk: claims, deliveries and clean-ups,
/// each a series of `fsync`, `rename` and directory syncs.
///
/// Swift's cooperative pool has one thread per core. A job step that syncs a file there holds a core's only
/// thread for the disk's whole flush, so on a two-core machine two flushing jobs stop every other task: the
/// scheduler, the intake, the HTTP completions. Run here, the waits overlap (the file system commits concurrent
/// syncs together) and the cooperative threads stay free for work that needs a CPU.
final class FileWorkPool: Sendable {
    /// What the threads share; they hold this, not the pool, so dropping the pool stops them.
    private final class Shared: Sendable {
        struct Queue {
            var work: [@Sendable () -> Void] = []
            var stopped = false
        }

        let queue = Mutex(Queue())
        /// One signal per queued piece of work, and one per thread on shutdown.
        let available = DispatchSemaphore(value: 0)

        func serve() {
            while true {
                available.wait()
                let (job, stopped): ((@Sendable () -> Void)?, Bool) = queue.withLock { queue in
                    (queue.work.isEmpty ? nil : queue.work.removeFirst(), queue.stopped)
                }
                if let job {
                    job()
                } else if stopped {
                    return
                }
            }
        }
    }

    private let shared: Shared
    private let threads: [DedicatedThread]

    init(threads: Int, name: String) {
        let shared = Shared()
        self.shared = shared
        self.threads = (0..<max(1, threads)).map { number in
            DedicatedThread.start(name: "\(name)-\(number)") { shared.serve() }
        }
    }

    deinit {
        shutdown()
    }

    /// Runs `work` on one of the pool's threads; the calling task suspends meanwhile instead of blocking.
    /// After ``shutdown()`` the work runs on the caller's thread, so a late step is never lost.
    func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            let job: @Sendable () -> Void = {
                do throws(E) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            let accepted = shared.queue.withLock { queue in
                guard !queue.stopped else { return false }
                queue.work.append(job)
                return true
            }
            if accepted {
                shared.available.signal()
            } else {
                job()
            }
        }
        return try result.get()
    }

    /// Pieces of work waiting for a thread.
    var pending: Int {
        shared.queue.withLock { $0.work.count }
    }

    /// Lets the threads finish what is queued, then stops them and waits until they have.
    func shutdown() {
        let first = shared.queue.withLock { queue in
            defer { queue.stopped = true }
            return !queue.stopped
        }
        guard first else { return }
        for _ in threads { shared.available.signal() }
        for thread in threads { thread.join() }
    }
}
