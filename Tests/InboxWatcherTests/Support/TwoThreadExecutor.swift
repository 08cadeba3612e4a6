import DedicatedThreads
import Dispatch
import Synchronization

/// A task executor with two threads, as small as the cooperative pool of a two-core machine: a test runs tasks
/// on it to see whether waiting work holds its threads, which the shared pool of a test process would hide.
final class TwoThreadExecutor: TaskExecutor, Sendable {
    private struct Queue {
        var jobs: [UnownedJob] = []
        var stopped = false
    }

    private let queue = Mutex(Queue())
    /// One signal per queued job, and one per thread on shutdown.
    private let available = DispatchSemaphore(value: 0)
    /// Set at the end of `init` (their bodies need `self`).
    private let threads = Mutex<[DedicatedThread]>([])

    init() {
        let started = (0..<2).map { number in
            DedicatedThread.start(name: "test-executor-\(number)") { [self] in serve() }
        }
        threads.withLock { $0 = started }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.jobs.append(job) }
        available.signal()
    }

    /// Runs what is queued, then ends both threads and waits for them.
    func shutdown() {
        queue.withLock { $0.stopped = true }
        let threads = threads.withLock { $0 }
        for _ in threads { available.signal() }
        for thread in threads { thread.join() }
    }

    private func serve() {
        while true {
            available.wait()
            let (job, stopped): (UnownedJob?, Bool) = queue.withLock { queue in
                (queue.jobs.isEmpty ? nil : queue.jobs.removeFirst(), queue.stopped)
            }
            if let job {
                job.runSynchronously(on: asUnownedTaskExecutor())
            } else if stopped {
                return
            }
        }
    }
}
