import Logging
import Synchronization

/// The part of a watcher that callers and the watcher thread share: the request queue, the stop flag,
/// the event stream's continuation and the wake-up.
final class WatcherCore: Sendable {
    enum Request: Sendable, Equatable {
        case watch(String)
        case unwatch(String)
        /// Handles `event` as if inotify had reported it; lets tests drive the overflow path.
        case inject(RawEvent)
    }

    private struct Shared: Sendable {
        var requests: [Request] = []
        var stopping = false
        var watchCount = 0
    }

    let generation: UInt64
    /// The private folder whose events wake the thread; never reported.
    let wakeFolder: String
    let logger: Logger
    let continuation: AsyncStream<WatchEvent>.Continuation
    private let shared = Mutex(Shared())

    init(generation: UInt64, wakeFolder: String, logger: Logger, continuation: AsyncStream<WatchEvent>.Continuation) {
        self.generation = generation
        self.wakeFolder = wakeFolder
        self.logger = logger
        self.continuation = continuation
    }

    var watchCount: Int {
        get { shared.withLock { $0.watchCount } }
        set { shared.withLock { $0.watchCount = newValue } }
    }

    /// Queues a request for the thread and wakes it; ignored once stopping.
    func submit(_ request: Request) {
        let accepted = shared.withLock { shared -> Bool in
            guard !shared.stopping else { return false }
            shared.requests.append(request)
            return true
        }
        if accepted { wake() }
    }

    /// Sets the stop flag and wakes the thread. Idempotent.
    func requestStop() {
        let first = shared.withLock { shared -> Bool in
            defer { shared.stopping = true }
            return !shared.stopping
        }
        guard first else { return }
        WatcherRegistry.markStopping(generation)
        wake()
    }

    /// The requests queued since the last call, and whether to stop.
    func takeRequests() -> (requests: [Request], stopping: Bool) {
        shared.withLock { shared in
            defer { shared.requests.removeAll() }
            return (shared.requests, shared.stopping)
        }
    }

    /// Marks the core stopped without a wake-up, when the thread ends on its own (a failed start).
    func markStopped() {
        shared.withLock { $0.stopping = true }
    }

    /// Creates and unlinks a file in the wake folder: the thread's blocking read returns at once, so it
    /// can sleep with a long timeout instead of polling.
    func wake() {
        if case .failure(let error) = FileSystem.touchAndRemove(PathName.join(wakeFolder, "wake")) {
            logger.error(
                "cannot wake the inotify thread; it notices within a minute",
                metadata: ["folder": "\(wakeFolder)", "error": "\(error)"]
            )
        }
    }
}
