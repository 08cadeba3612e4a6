import Dispatch
import Synchronization

/// A task executor on a fixed set of facedrop's own threads, which sleep in the kernel while there is no work.
///
/// On Linux the runtime's global executor is libdispatch's thread pool, and the first job it runs starts a
/// monitor that wakes the process every second, forever, to check the pool's width: an idle daemon would never
/// be idle. The daemon's tasks prefer this executor instead (``ExecutorPreference``), which has no timer of
/// its own: an idle worker blocks on its semaphore until a job is enqueued for it. Jobs run first in, first out.
///
/// The threads live as long as the process; blocking C calls still belong on a ``DedicatedThread`` of their
/// own, since a worker blocked in one is a worker fewer for every task.
package final class ThreadPoolExecutor: TaskExecutor {
    private struct Queue {
        var jobs: [UnownedJob] = []
        var head = 0
        /// Workers waiting for a job, by index into ``wakeups``.
        var idle: [Int] = []

        mutating func take() -> UnownedJob? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    /// How many threads run jobs.
    package let width: Int
    private let queue = Mutex(Queue())
    private let wakeups: [DispatchSemaphore]

    /// Starts `width` threads (at least one) named `name`.
    package init(width: Int, name: String = "facedrop-tasks") {
        self.width = max(1, width)
        self.wakeups = (0..<self.width).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<self.width {
            DedicatedThread.start(name: name) { [self] in work(as: index) }
        }
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let woken: Int? = queue.withLock { queue in
            queue.jobs.append(job)
            return queue.idle.popLast()
        }
        if let woken { wakeups[woken].signal() }
    }

    private func work(as index: Int) {
        let executor = asUnownedTaskExecutor()
        while true {
            let job: UnownedJob? = queue.withLock { queue in
                if let job = queue.take() { return job }
                queue.idle.append(index)
                return nil
            }
            guard let job else {
                wakeups[index].wait()
                continue
            }
            job.runSynchronously(on: executor)
        }
    }
}
