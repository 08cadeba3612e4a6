/// A clock that reads `ContinuousClock` and sleeps on a thread of facedrop's own, so an idle daemon wakes only
/// when one of its own deadlines comes.
///
/// `Task.sleep` and `ContinuousClock.sleep` hand the deadline to the runtime's global executor, which on Linux
/// is libdispatch's thread pool: the first job it runs starts libdispatch's pool monitor, a timer that wakes the
/// process every second for as long as it lives. This clock's sleeps instead wait in one kernel timer on the
/// boot-time clock, served by one thread, and a sleeping task resumes on the executor it prefers (see
/// ``ExecutorPreference``), so the global pool is never started. Time is the same as `ContinuousClock`'s: its
/// `Instant` is `ContinuousClock.Instant`.
///
/// ```swift
/// let clock = TimerClock()
/// try await clock.sleep(for: .seconds(30))
/// ```
package struct TimerClock: Clock {
    package typealias Instant = ContinuousClock.Instant

    package init() {}

    package var now: Instant {
        .now
    }

    package var minimumResolution: Duration {
        ContinuousClock().minimumResolution
    }

    /// Suspends until `deadline`; throws `CancellationError` as soon as the task is cancelled. `tolerance` is
    /// not used: the kernel timer is exact to the nanosecond and costs the same either way.
    package func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        guard let timers = TimerThread.shared else {
            // No kernel timer could be made (the process is out of descriptors): the runtime's clock still works.
            try await ContinuousClock().sleep(until: deadline, tolerance: tolerance)
            return
        }
        try await timers.sleep(until: deadline)
    }
}
