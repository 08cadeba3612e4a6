import DedicatedThreads
import Synchronization

/// Enforces one running ``InotifyWatcher`` per process: libinotifytools keeps its descriptor, watch
/// records and event buffer in process-wide statics, so two watchers would read each other's events.
///
/// A new watcher may start while the previous one is still cleaning up after `stop()`; it then waits for the
/// old thread's ``release(_:)`` by suspending, not by sleeping in a loop, so a daemon starting up never holds a
/// thread of Swift's cooperative pool while it waits.
enum WatcherRegistry {
    private enum Phase: Sendable {
        case idle
        case running(UInt64)
        /// `stop()` was called; the thread is draining and cleaning up, which takes milliseconds.
        case stopping(UInt64)
    }

    private struct State: Sendable {
        var phase = Phase.idle
        var nextGeneration: UInt64 = 1
        /// Claims waiting for a stopping watcher to release the library, by ticket; each is resumed once, with
        /// true on release, false when it gave up (its time ran out or its task was cancelled).
        var waiting: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var nextTicket: UInt64 = 1
    }

    private static let state = Mutex(State())

    /// How long a new watcher waits for a stopped one to finish its cleanup.
    static let stoppingGrace = Duration.seconds(10)

    /// Reserves the library for a new watcher and returns its generation. Waits (suspended) while a stopped
    /// watcher finishes; refuses while one is still running.
    static func claim() async throws(WatcherError) -> UInt64 {
        let deadline = ContinuousClock.now + stoppingGrace
        while true {
            if let claimed = try claimIfIdle() { return claimed }
            guard await released(before: deadline) else {
                if Task.isCancelled {
                    throw WatcherError(.alreadyRunning, "the start was cancelled while the previous InotifyWatcher was stopping")
                }
                throw WatcherError(.alreadyRunning, "the previous InotifyWatcher has not finished stopping after \(stoppingGrace)")
            }
        }
    }

    /// Marks the watcher of `generation` as stopping, so a new one may start once it has released.
    static func markStopping(_ generation: UInt64) {
        state.withLock { state in
            if case .running(generation) = state.phase { state.phase = .stopping(generation) }
        }
    }

    /// Called by the watcher thread after `inotifytools_cleanup()`; wakes the claims waiting for it.
    static func release(_ generation: UInt64) {
        let woken: [CheckedContinuation<Bool, Never>] = state.withLock { state in
            switch state.phase {
            case .running(generation), .stopping(generation):
                state.phase = .idle
                defer { state.waiting.removeAll() }
                return Array(state.waiting.values)
            default:
                return []
            }
        }
        for continuation in woken { continuation.resume(returning: true) }
    }

    /// Claims suspended until a stopping watcher releases the library.
    static var waitingClaims: Int {
        state.withLock { $0.waiting.count }
    }

    // MARK: Implementation

    /// The new generation when the library is free; nil while a stopped watcher still holds it.
    private static func claimIfIdle() throws(WatcherError) -> UInt64? {
        try state.withLock { (state) throws(WatcherError) -> UInt64? in
            switch state.phase {
            case .idle:
                let generation = state.nextGeneration
                state.nextGeneration += 1
                state.phase = .running(generation)
                return generation
            case .running:
                throw WatcherError(
                    .alreadyRunning,
                    "another InotifyWatcher is running in this process; libinotifytools is process-global, so stop() it first"
                )
            case .stopping:
                return nil
            }
        }
    }

    /// Suspends until a stopping watcher releases the library (true, also when it already has), or until
    /// `deadline` (false).
    private static func released(before deadline: ContinuousClock.Instant) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await nextRelease() }
            group.addTask {
                try? await TimerClock().sleep(until: deadline)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Suspends until the next ``release(_:)``; false when the task is cancelled first.
    private static func nextRelease() async -> Bool {
        let ticket = state.withLock { state in
            defer { state.nextTicket += 1 }
            return state.nextTicket
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer: Bool? = state.withLock { state in
                    // Released between the claim attempt and now: try again at once.
                    guard case .stopping = state.phase else { return true }
                    // Cancelled before the handler below could find the ticket.
                    if Task.isCancelled { return false }
                    state.waiting[ticket] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let continuation = state.withLock { $0.waiting.removeValue(forKey: ticket) }
            continuation?.resume(returning: false)
        }
    }
}
