import Foundation
import SegmindAPI

/// The daemon's one requests-per-minute budget for Segmind's API, shared by every job.
///
/// Every request (submit, poll, result, credits, upload) calls ``admit()`` first, through
/// ``SegmindConfiguration/gate``. The budget remembers the instants of its last `N` admissions and
/// admits the next request only when the oldest of them is at least one ``window`` old:
///
///     admit a_k only if k ≤ N or a_k ≥ a_(k−N) + window
///
/// **Why this never admits more than N in any window.** Admission instants are read from a monotonic
/// clock inside the actor, so a_1 ≤ a_2 ≤ …. Suppose some half-open interval [s, s + window) held N + 1
/// admissions a_j … a_(j+N). Then a_(j+N) − a_j < window, but the rule admitted a_(j+N) only because
/// a_(j+N) ≥ a_j + window: a contradiction. This holds whatever the callers do — bursts, 429 storms,
/// cancellations — because the rule is checked at the single place that records an admission.
///
/// Segmind counts arrivals, not admissions. The time from ``admit()`` to arrival varies by the
/// network's jitter, so ``init(requestsPerMinute:clock:)`` uses a window of 60 s plus
/// ``arrivalGuard``: arrivals then stay N per minute as long as that delay varies by less than the guard.
///
/// A 429 (``rateLimited(for:)``) holds every admission until Segmind's reset time. Waiters are
/// served first come, first served; they are continuations woken by one timer, so a thousand queued
/// jobs cost one sleeping task, and a cancelled waiter leaves the queue at once.
///
/// Every instant is read from the clock it is given (a continuous clock in the daemon), so tests move a
/// clock of their own through whole windows and 429 holds without waiting for them.
package actor RequestBudget: RequestGate {
    /// Added to the minute by ``init(requestsPerMinute:clock:)``: a request admitted at the very end of a
    /// window may reach Segmind up to this much sooner, relative to an earlier one, without a 429.
    package static let arrivalGuard: Duration = .seconds(1)

    /// The most requests admitted in any ``window``.
    package let limit: Int
    /// The length of the sliding window.
    package let window: Duration
    private let clock: ElapsedClock
    /// Keeps admissions across restarts, when set.
    private let file: RequestWindowFile?

    /// The instants of the last `limit` admissions, oldest first (a ring buffer once full).
    private var recent: [ElapsedClock.Instant] = []
    private var oldestIndex = 0
    /// Nothing is admitted before this instant (Segmind's 429 reset).
    private var heldUntil: ElapsedClock.Instant?
    /// The admissions so far, for `facedrop status`.
    package private(set) var admittedCount = 0

    private var waiters: [Waiter] = []
    private var nextWaiterID: UInt64 = 0
    /// The one timer that wakes waiters, while any wait; its generation tells a stale wake-up from a live one.
    private var timer: Timer?
    private var timerGeneration: UInt64 = 0

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<ElapsedClock.Instant?, Never>
    }

    private struct Timer {
        let deadline: ElapsedClock.Instant
        let task: Task<Void, Never>
        let generation: UInt64
    }

    /// A budget of `requestsPerMinute` (at least 1) over 60 s plus ``arrivalGuard``.
    package init(requestsPerMinute: Int, clock: some Clock<Duration> = ContinuousClock()) {
        self.init(requestsPerMinute: requestsPerMinute, window: .seconds(60) + Self.arrivalGuard, clock: clock)
    }

    /// A budget of `requestsPerMinute` (at least 1) requests in any `window`; tests shrink the window.
    ///
    /// - Parameter file: Where admissions are kept across restarts; the ones it remembers from earlier lives
    ///   count against this budget as if this life had made them, so a daemon restarted in a loop still never
    ///   sends more than the limit in any window.
    ///   Its times are wall-clock times, the only ones that mean something to another life of the process.
    package init(requestsPerMinute: Int, window: Duration, clock: some Clock<Duration> = ContinuousClock(), file: RequestWindowFile? = nil) {
        self.limit = max(1, requestsPerMinute)
        self.window = max(window, .zero)
        let clock = ElapsedClock(clock)
        self.clock = clock
        self.file = file
        recent.reserveCapacity(limit)
        let now = clock.now
        let wallNow = Date()
        for earlier in (file?.earlier ?? []).suffix(limit) {
            let age = max(0, wallNow.timeIntervalSince(earlier))
            recent.append(now - .milliseconds(Int((age * 1000).rounded())))
        }
    }

    /// A budget of `requestsPerMinute` over 60 s plus ``arrivalGuard`` that remembers its admissions in `file`.
    package init(requestsPerMinute: Int, file: RequestWindowFile?) {
        self.init(requestsPerMinute: requestsPerMinute, window: .seconds(60) + Self.arrivalGuard, file: file)
    }

    // MARK: RequestGate

    package func admit() async throws(CancellationError) {
        _ = try await reserve()
    }

    package func rateLimited(until: ContinuousClock.Instant) async {
        rateLimited(for: ContinuousClock.now.duration(to: until))
    }

    /// Segmind answered 429: nothing is admitted for `hold` from now, on the budget's own clock. A hold
    /// that ends sooner than one already in force changes nothing.
    package func rateLimited(for hold: Duration) {
        let until = clock.now + hold
        guard heldUntil.map({ until > $0 }) ?? true else { return }
        heldUntil = until
        if !waiters.isEmpty { scheduleTimer() }
    }

    // MARK: Admission

    /// Waits for a slot like ``admit()`` and returns the instant the budget counted it at: the instant
    /// every guarantee of this type is stated in.
    package func reserve() async throws(CancellationError) -> ElapsedClock.Instant {
        if Task.isCancelled { throw CancellationError() }
        if waiters.isEmpty, let now = admissibleNow() {
            return record(now)
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let admitted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ElapsedClock.Instant?, Never>) in
                if Task.isCancelled {
                    continuation.resume(returning: nil)
                    return
                }
                waiters.append(Waiter(id: id, continuation: continuation))
                scheduleTimer()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        guard let admitted else { throw CancellationError() }
        return admitted
    }

    /// A picture of the budget for `facedrop status`.
    package func snapshot() -> BudgetSnapshot {
        let now = clock.now
        let held = heldUntil.flatMap { $0 > now ? $0 : nil }
        return BudgetSnapshot(
            limit: limit,
            window: window,
            admittedInWindow: recent.count { $0 > now - window },
            waiting: waiters.count,
            heldFor: held.map { $0 - now },
            admittedTotal: admittedCount
        )
    }

    /// The earliest instant the next admission may happen: after any 429 hold, and one window after
    /// the oldest of the last `limit` admissions once there are that many.
    private func earliestAdmission() -> ElapsedClock.Instant? {
        var earliest = heldUntil
        if recent.count == limit {
            let freed = recent[oldestIndex] + window
            earliest = earliest.map { max($0, freed) } ?? freed
        }
        return earliest
    }

    /// The current instant, if a request may be admitted at it.
    private func admissibleNow() -> ElapsedClock.Instant? {
        let now = clock.now
        guard let earliest = earliestAdmission() else { return now }
        return earliest <= now ? now : nil
    }

    /// Counts an admission at `now`, replacing the oldest of the remembered ones.
    private func record(_ now: ElapsedClock.Instant) -> ElapsedClock.Instant {
        file?.record(Date())
        if recent.count < limit {
            recent.append(now)
        } else {
            recent[oldestIndex] = now
            oldestIndex = (oldestIndex + 1) % limit
        }
        admittedCount += 1
        return now
    }

    /// Admits waiters from the front of the queue while the budget allows, then sets the timer for the rest.
    private func serveWaiters() {
        while !waiters.isEmpty, let now = admissibleNow() {
            let waiter = waiters.removeFirst()
            waiter.continuation.resume(returning: record(now))
        }
        scheduleTimer()
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
        if waiters.isEmpty {
            timer?.task.cancel()
            timer = nil
        }
    }

    // MARK: The timer

    /// Makes sure one timer fires no later than the next admission is possible, while anyone waits.
    ///
    /// A timer that fires early is harmless (it serves no one and sets itself again); one that fires
    /// late would waste budget, so a pending timer is kept only if it is due no later than needed.
    private func scheduleTimer() {
        guard !waiters.isEmpty else { return }
        guard let deadline = earliestAdmission() else {
            // Free now: serve at once, from a fresh turn of the actor.
            arm(at: clock.now)
            return
        }
        if let timer, timer.deadline <= deadline { return }
        arm(at: deadline)
    }

    private func arm(at deadline: ElapsedClock.Instant) {
        timer?.task.cancel()
        timerGeneration += 1
        let generation = timerGeneration
        let clock = clock
        let task = Task {
            do {
                try await clock.sleep(until: deadline, tolerance: .milliseconds(1))
            } catch {
                return
            }
            self.timerFired(generation)
        }
        timer = Timer(deadline: deadline, task: task, generation: generation)
    }

    private func timerFired(_ generation: UInt64) {
        guard let timer, timer.generation == generation else { return }
        self.timer = nil
        serveWaiters()
    }
}
