import Synchronization

/// Enforces one running ``InotifyWatcher`` per process: libinotifytools keeps its descriptor, watch
/// records and event buffer in process-wide statics, so two watchers would read each other's events.
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
    }

    private static let state = Mutex(State())

    /// How long a new watcher waits for a stopped one to finish its cleanup.
    static let stoppingGrace = Duration.seconds(10)

    /// Reserves the library for a new watcher and returns its generation. Waits while a stopped watcher
    /// finishes; refuses while one is still running.
    static func claim() throws(WatcherError) -> UInt64 {
        let deadline = ContinuousClock.now + stoppingGrace
        while true {
            let claimed: UInt64? = try state.withLock { (state) throws(WatcherError) -> UInt64? in
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
            if let claimed { return claimed }
            guard ContinuousClock.now < deadline else {
                throw WatcherError(.alreadyRunning, "the previous InotifyWatcher has not finished stopping after \(stoppingGrace)")
            }
            FileSystem.sleep(milliseconds: 5)
        }
    }

    /// Marks the watcher of `generation` as stopping, so a new one may start once it has released.
    static func markStopping(_ generation: UInt64) {
        state.withLock { state in
            if case .running(generation) = state.phase { state.phase = .stopping(generation) }
        }
    }

    /// Called by the watcher thread after `inotifytools_cleanup()`.
    static func release(_ generation: UInt64) {
        state.withLock { state in
            switch state.phase {
            case .running(generation), .stopping(generation): state.phase = .idle
            default: break
            }
        }
    }
}
