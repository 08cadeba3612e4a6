package import DedicatedThreads
import Foundation
package import SegmindAPI

/// The daemon's one requests-per-minute budget for Segmind's API, shared by every job.
///
/// Every request (submit, poll, result, credits, upload) calls ``admit()`` first, through
/// ``SegmindConfiguration/gate``. Two rules decide when the next request may go, and it goes at the first
/// instant both allow (and no 429 holds the budget).
///
/// **The window: never more than N in any window.** The budget remembers the instants of its last `N`
/// admissions and admits the next request only when the oldest of them is at least one ``window`` old:
///
///     admit a_k only if k ≤ N or a_k ≥ a_(k−N) + window
///
/// Admission instants are read from a monotonic clock inside the actor, so a_1 ≤ a_2 ≤ …. Suppose some
/// half-open interval [s, s + window) held N + 1 admissions a_j … a_(j+N). Then a_(j+N) − a_j < window, but the
/// rule admitted a_(j+N) only because a_(j+N) ≥ a_j + window: a contradiction. This holds whatever the callers
/// do — bursts, 429 storms, cancellations, the pacing below — because the rule is checked at the single place
/// that records an admission, and a second rule can only make admissions later.
///
/// **The pacing: at most ``burst`` at once, then one per ``interval``.** The window alone would let all N go
/// in the first moment and then nothing for a minute, so results come in lumps. A token bucket of ``burst``
/// tokens, refilled at N per window (one every ``interval`` = window / N), spreads them over the minute. It is
/// kept as one instant θ, the theoretical arrival time of the generic cell rate algorithm (the bucket is full
/// again from θ on; it starts full):
///
///     admit a_k only if a_k ≥ θ − (burst − 1) · interval;  then θ ← max(θ, a_k) + interval
///
/// *Why no closed interval of length d holds more than burst + d / interval admissions.* Let b_1 ≤ … ≤ b_m be
/// the admissions inside it. Admitting b_1 leaves θ ≥ b_1 + interval, and each later admission raises θ by at
/// least one interval, so just before b_m, θ ≥ b_1 + (m − 1) · interval. The rule admitted b_m, so
/// b_m ≥ θ − (burst − 1) · interval ≥ b_1 + (m − burst) · interval, and m ≤ burst + (b_m − b_1) / interval ≤
/// burst + d / interval.
///
/// The bucket alone would allow up to burst + N in one window (a full bucket, then a minute of refills); the
/// window rule keeps that at N. Under a steady backlog the pair still sends N per window, as the window alone
/// did: a request held back by the window waits because the last window already holds N, and one held back by
/// the bucket waits for a token that comes once per interval, N per window. The bucket decides where in the
/// window the requests go, not how many (at N = 50: five at once, then one every 1.22 s, a pause of 6.1 s
/// before the window frees the first five again).
///
/// Segmind counts arrivals, not admissions. The time from ``admit()`` to arrival varies by the
/// network's jitter, so ``init(requestsPerMinute:clock:)`` uses a window of 60 s plus
/// ``arrivalGuard``: arrivals then stay N per minute as long as that delay varies by less than the guard.
///
/// **The reserve: the last few tokens and places are for reads that are due.** A submit only starts one more job
/// sooner, and a probe (``PollProbe``) mostly finds its job still running, while a late poll of a job that is due
/// is detection lag: the job is done and waits to be found. So a submit or a probe is admitted only if it leaves
/// ``readReserve`` tokens in the bucket and as many places free in the window; due polls, results and credit
/// checks may use them all. Under a backlog the bucket then hovers at the reserve instead of at zero, and a poll
/// that falls due (or two at once, when a finished scout has its model's other jobs planned again) goes at once
/// instead of waiting a slot. Due reads follow both rules above and the others stricter ones, so both guarantees
/// hold for all admissions together. Nothing is lost under a mixed backlog: a token the others may not take stays
/// in the bucket (which refills as long as it is not full, and the reserve is less than the burst) for the next
/// due read. Only a stretch with no due read at all gets ``readReserve`` fewer places per window.
///
/// A 429 (``rateLimited(for:)``) holds every admission until Segmind's reset time. Waiters are
/// served in the order ``serveWaiters()`` describes; they are continuations woken by one timer, so a thousand
/// queued jobs cost one sleeping task, and a cancelled waiter leaves the queue at once.
///
/// A budget made with a ``RequestWindowFile`` counts the admissions an earlier life of the daemon remembers
/// against both rules, as if this life had made them: a daemon restarted in a loop neither exceeds the window
/// nor starts each life with a full bucket.
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
    /// The most requests admitted at one moment: the token bucket's size.
    package let burst: Int
    /// The time one token takes to come back: ``window`` / ``limit``.
    package let interval: Duration
    /// The tokens of the bucket, and the places of the window, that submits and probes leave to due reads.
    package let readReserve: Int
    private let clock: ElapsedClock
    /// Keeps admissions across restarts, when set.
    private let file: RequestWindowFile?

    /// The instants of the last `limit` admissions, oldest first (a ring buffer once full).
    private var recent: [ElapsedClock.Instant] = []
    private var oldestIndex = 0
    /// The bucket's theoretical arrival time θ: the bucket is full at any instant from this one on (`nil`: full
    /// from the start), and holds no token before `θ − (burst − 1) · interval`.
    private var theoreticalArrival: ElapsedClock.Instant?
    /// Nothing is admitted before this instant (Segmind's 429 reset).
    private var heldUntil: ElapsedClock.Instant?
    /// The admissions so far, for `facedrop status`.
    package private(set) var admittedCount = 0

    private var waiters: [Waiter] = []
    private var nextWaiterID: UInt64 = 0
    /// Whose turn it is among the queues of the waiting requests (``RequestShare``).
    private var turns = FairTurns()
    /// The one timer that wakes waiters, while any wait; its generation tells a stale wake-up from a live one.
    private var timer: Timer?
    private var timerGeneration: UInt64 = 0

    private struct Waiter {
        let id: UInt64
        /// The queue the request is made for; nil outside a job.
        let share: RequestShare?
        /// Due reads go before probes, and probes before submits, of the same queue.
        let rank: Rank
        let continuation: CheckedContinuation<ElapsedClock.Instant?, Never>
    }

    /// How urgent a request is, most urgent first.
    private enum Rank: Comparable {
        /// A poll at its job's measured run time or later, a result, a credit check: may use the reserve.
        case due
        /// A poll on a guess (``PollProbe``).
        case probe
        /// Starts a new job.
        case submit

        init(_ kind: RequestKind) {
            self = kind == .submit ? .submit : PollProbe.current ? .probe : .due
        }

        /// Whether the request leaves ``RequestBudget/readReserve`` to the due reads.
        var leavesReserve: Bool { self != .due }
    }

    private struct Timer {
        let deadline: ElapsedClock.Instant
        let task: Task<Void, Never>
        let generation: UInt64
    }

    /// The burst of a budget of `requestsPerMinute` when none is configured: a tenth of the limit, at least 1
    /// and at most 5 (5 for Segmind Pro's 50 a minute, one at a time below 20 a minute).
    ///
    /// A burst lets a few requests that come together (a submit and the poll of a job just finished) go at once
    /// instead of an interval apart; more than a few would bring the lumps back. Five stays small in absolute
    /// terms however large the limit, so the requests of a high limit are spread as evenly as those of a low one.
    package static func defaultBurst(requestsPerMinute: Int) -> Int {
        max(1, min(5, requestsPerMinute / 10))
    }

    /// The tokens a budget with `burst` keeps for reads: half of them, rounded down, at most 2 (2 of Segmind Pro's
    /// 5; none when the burst is 1, where a spare token would be a larger burst).
    ///
    /// Two let a due poll and the result it leads to, or two jobs' polls that fall due together, go at once;
    /// the submits keep the rest of the burst, so a drop still starts a few jobs at once. No more than two, so a
    /// budget without pacing (a burst of the whole limit) still lets submits use nearly all of its window.
    package static func readReserve(burst: Int) -> Int {
        min(2, max(0, burst) / 2)
    }

    /// A budget of `requestsPerMinute` (at least 1) over 60 s plus ``arrivalGuard``, paced with `burst`
    /// (``defaultBurst(requestsPerMinute:)`` when `nil`).
    package init(requestsPerMinute: Int, burst: Int? = nil, clock: some Clock<Duration> = TimerClock()) {
        self.init(requestsPerMinute: requestsPerMinute, burst: burst, window: .seconds(60) + Self.arrivalGuard, clock: clock)
    }

    /// A budget of `requestsPerMinute` (at least 1) requests in any `window`; tests shrink the window.
    ///
    /// - Parameter burst: The most requests admitted at once (1 to `requestsPerMinute`);
    ///   ``defaultBurst(requestsPerMinute:)`` when `nil`. `requestsPerMinute` turns the pacing off: the window
    ///   alone decides.
    /// - Parameter file: Where admissions are kept across restarts; the ones it remembers from earlier lives
    ///   count against this budget as if this life had made them, so a daemon restarted in a loop still never
    ///   sends more than the limit in any window, nor more than the burst at once.
    ///   Its times are wall-clock times, the only ones that mean something to another life of the process.
    package init(
        requestsPerMinute: Int,
        burst: Int? = nil,
        window: Duration,
        clock: some Clock<Duration> = TimerClock(),
        file: RequestWindowFile? = nil
    ) {
        let limit = max(1, requestsPerMinute)
        self.limit = limit
        self.window = max(window, .zero)
        self.burst = min(max(1, burst ?? Self.defaultBurst(requestsPerMinute: limit)), limit)
        // Rounded down, so the bucket alone never admits fewer than N per window; the window rule keeps it at N.
        self.interval = self.window / limit
        self.readReserve = Self.readReserve(burst: self.burst)
        let clock = ElapsedClock(clock)
        self.clock = clock
        self.file = file
        recent.reserveCapacity(limit)
        let now = clock.now
        let wallNow = Date()
        for earlier in (file?.earlier ?? []).suffix(limit) {
            let age = max(0, wallNow.timeIntervalSince(earlier))
            let instant = now - .milliseconds(Int((age * 1000).rounded()))
            recent.append(instant)
            // The bucket as the earlier life left it: each remembered admission took a token.
            theoreticalArrival = max(theoreticalArrival ?? instant, instant) + interval
        }
    }

    /// A budget of `requestsPerMinute` over 60 s plus ``arrivalGuard``, paced with `burst`, that remembers its
    /// admissions in `file`.
    package init(requestsPerMinute: Int, burst: Int? = nil, file: RequestWindowFile?) {
        self.init(requestsPerMinute: requestsPerMinute, burst: burst, window: .seconds(60) + Self.arrivalGuard, file: file)
    }

    // MARK: RequestGate

    package func admit() async throws(CancellationError) {
        _ = try await reserve(.read)
    }

    package func admit(_ kind: RequestKind) async throws(CancellationError) {
        _ = try await reserve(kind)
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
    package func reserve(_ kind: RequestKind = .read) async throws(CancellationError) -> ElapsedClock.Instant {
        if Task.isCancelled { throw CancellationError() }
        let share = RequestShare.current
        let rank = Rank(kind)
        if let now = admissibleAtOnce(rank) {
            if let share { turns.charge(share.share, weight: share.weight) }
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
                waiters.append(Waiter(id: id, share: share, rank: rank, continuation: continuation))
                scheduleTimer()
            }
        } onCancel: {
            Task(executorPreference: ExecutorPreference.current) { await self.cancelWaiter(id) }
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

    /// The earliest instant the next admission of `rank` may happen: after any 429 hold, once the bucket holds a
    /// token (for one that leaves the reserve, one more than ``readReserve``), and once the last window holds fewer
    /// than `limit` admissions (for one that leaves the reserve, fewer than `limit − readReserve`).
    private func earliestAdmission(_ rank: Rank) -> ElapsedClock.Instant? {
        let reserve = rank.leavesReserve ? readReserve : 0
        var earliest = heldUntil
        if let theoreticalArrival {
            let token = theoreticalArrival - interval * (burst - 1 - reserve)
            earliest = earliest.map { max($0, token) } ?? token
        }
        // The admission that must have left the window: the (limit − reserve)-th most recent one. The ring's
        // chronological position p is at (oldestIndex + p) % count (oldestIndex is 0 until the ring is full).
        let places = limit - reserve
        if recent.count >= places {
            let freed = recent[(oldestIndex + recent.count - places) % recent.count] + window
            earliest = earliest.map { max($0, freed) } ?? freed
        }
        return earliest
    }

    /// The earliest instant any waiting request may be admitted: a due read's, if one waits.
    private func earliestWaiterAdmission() -> ElapsedClock.Instant? {
        earliestAdmission(waiters.contains { $0.rank == .due } ? .due : .submit)
    }

    /// The current instant, if a new request of `rank` may go without waiting: the budget admits it now, and no
    /// waiting request would go before it (requests the reserve holds back do not hold back a due read).
    private func admissibleAtOnce(_ rank: Rank) -> ElapsedClock.Instant? {
        guard let now = admissibleNow(rank) else { return nil }
        if waiters.isEmpty { return now }
        guard rank == .due, admissibleNow(.submit) == nil, !waiters.contains(where: { $0.rank == .due }) else { return nil }
        return now
    }

    /// The current instant, if a request of `rank` may be admitted at it.
    private func admissibleNow(_ rank: Rank) -> ElapsedClock.Instant? {
        let now = clock.now
        guard let earliest = earliestAdmission(rank) else { return now }
        return earliest <= now ? now : nil
    }

    /// Counts an admission at `now`: it takes a token and replaces the oldest of the remembered admissions.
    private func record(_ now: ElapsedClock.Instant) -> ElapsedClock.Instant {
        file?.record(Date())
        theoreticalArrival = max(theoreticalArrival ?? now, now) + interval
        if recent.count < limit {
            recent.append(now)
        } else {
            recent[oldestIndex] = now
            oldestIndex = (oldestIndex + 1) % limit
        }
        admittedCount += 1
        return now
    }

    /// Admits waiters while the budget allows, then sets the timer for the rest: requests made outside a job
    /// first, then the queues' requests in their turns (``FairTurns``), each queue's due reads (polls and results
    /// of jobs already paid for) before its probes and those before its submits, and otherwise in the order they
    /// asked. A read ends or moves a job already at Segmind, and a late one is detection lag, while a submit only
    /// starts one more job sooner: the budget sends the same number either way.
    private func serveWaiters() {
        while !waiters.isEmpty, let now = admissibleNow(.due) {
            // A due read may be admitted now; the others perhaps not (the reserve).
            let others = admissibleNow(.submit) != nil
            guard let index = nextWaiterIndex(othersAdmissible: others) else { break }
            let waiter = waiters.remove(at: index)
            if let share = waiter.share { turns.charge(share.share, weight: share.weight) }
            waiter.continuation.resume(returning: record(now))
        }
        scheduleTimer()
    }

    /// The waiter to admit next, among those the budget admits now (only due reads, unless `othersAdmissible`);
    /// nil when none of them may go. Within the queue whose turn it is, the most urgent first, then the earliest.
    private func nextWaiterIndex(othersAdmissible: Bool) -> Int? {
        if let unshared = waiters.firstIndex(where: { $0.share == nil && (othersAdmissible || $0.rank == .due) }) { return unshared }
        let shares = waiters.compactMap { othersAdmissible || $0.rank == .due ? $0.share?.share : nil }
        guard let share = turns.next(among: shares) else { return nil }
        var best: Int?
        for index in waiters.indices where waiters[index].share?.share == share && (othersAdmissible || waiters[index].rank == .due) {
            if best.map({ waiters[index].rank < waiters[$0].rank }) ?? true { best = index }
        }
        return best
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
        guard let deadline = earliestWaiterAdmission() else {
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
        let task = Task(executorPreference: ExecutorPreference.current) {
            do {
                try await clock.sleep(until: deadline, tolerance: .milliseconds(1))
            } catch {
                return
            }
            await self.timerFired(generation)
        }
        timer = Timer(deadline: deadline, task: task, generation: generation)
    }

    private func timerFired(_ generation: UInt64) {
        guard let timer, timer.generation == generation else { return }
        self.timer = nil
        serveWaiters()
    }
}
