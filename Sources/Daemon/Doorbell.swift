import DedicatedThreads
import Scheduling
import Synchronization

/// Wakes one waiting loop early: a ring before the wait is remembered, a wait ends at its deadline anyway.
///
/// The daemon's loops sleep until their next deadline (a file settling, a poll falling due) and are rung
/// when new work arrives sooner, so nothing polls on a short timer and an idle daemon stays asleep.
/// Deadlines are instants of the ``clock`` the bell is made with, which its owner reads them from.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    /// The clock deadlines are read from and slept on.
    let clock: ElapsedClock

    init(clock: some Clock<Duration> = TimerClock()) {
        self.clock = ElapsedClock(clock)
    }

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when rung, at `deadline` (nil: no deadline), or when the task is cancelled.
    func wait(until deadline: ElapsedClock.Instant?) async {
        let timer = deadline.map { [clock] deadline in
            Task(executorPreference: ExecutorPreference.current) { [weak self] in
                // Only a timer that ran out rings: a cancelled one (the wait ended sooner) must not leave a
                // ring behind, or the next wait would return at once, and the one after, for ever.
                guard (try? await clock.sleep(until: deadline)) != nil else { return }
                self?.ring()
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung || Task.isCancelled {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            ring()
        }
        // A timer that ran out just as a ring arrived leaves `rung` set: the next wait returns at once, once.
        timer?.cancel()
    }
}
