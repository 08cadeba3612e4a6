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
            /// Threads waiting for work, by index into ``wakeups``, the latest last.
            var idle: [Int] = []
            var stopped = false
        }

        let queue = Mutex(Queue())
        /// One semaphore per thread. Work goes to the thread that went idle last: the one whose stack and data are
        /// still in the CPU's caches, and the others stay asleep while the work comes one step at a time.
        let wakeups: [DispatchSemaphore]

        init(threads: Int) {
            wakeups = (0..<threads).map { _ in DispatchSemaphore(value: 0) }
        }

        /// Queues `job`; false once stopped.
        func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
            let (accepted, woken): (Bool, Int?) = queue.withLock { queue in
                guard !queue.stopped else { return (false, nil) }
                queue.work.append(job)
                return (true, queue.idle.popLast())
            }
            if let woken { wakeups[woken].signal() }
            return accepted
        }

        /// Stops taking work and wakes every idle thread; busy ones stop once the queue is empty.
        func stop() -> Bool {
            let (first, idle): (Bool, [Int]) = queue.withLock { queue in
                defer {
                    queue.stopped = true
                    queue.idle.removeAll()
                }
                return (!queue.stopped, queue.idle)
            }
            for index in idle { wakeups[index].signal() }
            return first
        }

        func serve(as index: Int) {
            while true {
                let (job, stopped): ((@Sendable () -> Void)?, Bool) = queue.withLock { queue in
                    if !queue.work.isEmpty { return (queue.work.removeFirst(), false) }
                    if queue.stopped { return (nil, true) }
                    queue.idle.append(index)
                    return (nil, false)
                }
                if let job {
                    job()
                } else if stopped {
                    return
                } else {
                    wakeups[index].wait()
                }
            }
        }
    }

    private let shared: Shared
    private let threads: [DedicatedThread]

    init(threads: Int, name: String) {
        let count = max(1, threads)
        let shared = Shared(threads: count)
        self.shared = shared
        self.threads = (0..<count).map { number in
            DedicatedThread.start(name: "\(name)-\(number)") { shared.serve(as: number) }
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
            let accepted = shared.enqueue(job)
            if !accepted { job() }
        }
        return try result.get()
    }

    /// Pieces of work waiting for a thread.
    var pending: Int {
        shared.queue.withLock { $0.work.count }
    }

    /// Threads waiting for work.
    var idle: Int {
        shared.queue.withLock { $0.idle.count }
    }

    /// Lets the threads finish what is queued, then stops them and waits until they have.
    func shutdown() {
        guard shared.stop() else { return }
        for thread in threads { thread.join() }
    }
}
