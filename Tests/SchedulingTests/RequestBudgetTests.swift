import Clocks
import DedicatedThreads
import FacedropTestSupport
import Scheduling
import Synchronization
import Testing

/// Asserts that no `window`-long stretch holds more than `limit` of `instants`: after sorting, any
/// `limit + 1` consecutive admissions span at least a window.
func expectWithinBudget(_ instants: [ElapsedClock.Instant], limit: Int, window: Duration, sourceLocation: SourceLocation = #_sourceLocation) {
    let sorted = instants.sorted()
    for index in sorted.indices.dropLast(limit) {
        let span = sorted[index + limit] - sorted[index]
        #expect(span >= window, "\(limit + 1) admissions within \(span)", sourceLocation: sourceLocation)
    }
}

/// Starts `count` tasks that each take one slot, and returns the instants the budget counted them at.
func admitConcurrently(_ budget: RequestBudget, count: Int) async throws -> [ElapsedClock.Instant] {
    try await withThrowingTaskGroup(of: ElapsedClock.Instant.self) { group in
        for _ in 0..<count {
            group.addTask { try await budget.reserve() }
        }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}

/// An instant of a budget whose test clock started at zero.
func at(_ offset: Duration) -> ElapsedClock.Instant {
    ElapsedClock.Instant(offset: offset)
}

@Suite("RequestBudget: one requests-per-minute budget for every job")
struct RequestBudgetTests {
    /// The window of a real budget: a minute plus the arrival guard.
    static let window = Duration.seconds(60) + RequestBudget.arrivalGuard

    @Test("40 concurrent admitters get 5 slots per 61 s window, each group the moment the window frees (no pacing: a burst of 5)")
    func slidingWindow() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 5, burst: 5, clock: clock)
        let admitters = Task { try await admitConcurrently(budget, count: 40) }
        #expect(await eventually { await budget.snapshot().waiting == 35 })
        #expect(await budget.admittedCount == 5)
        for round in 1...7 {
            await clock.advance(by: Self.window - .milliseconds(1))
            #expect(await budget.admittedCount == 5 * round, "admitted before the window freed")
            #expect(await clock.advance(by: .milliseconds(1)) { await budget.admittedCount == 5 * (round + 1) })
        }
        let instants = try await admitters.value
        #expect(instants.count == 40)
        expectWithinBudget(instants, limit: 5, window: Self.window)
        #expect(instants.sorted() == (0..<40).map { at(Self.window * ($0 / 5)) })
        let snapshot = await budget.snapshot()
        #expect(snapshot.admittedInWindow == 5)
        #expect(snapshot.waiting == 0)
    }

    @Test("a storm of 429 holds never lets more than the budget through")
    func stormKeepsTheBound() async throws {
        let clock = TestClock()
        let window = Duration.milliseconds(400)
        let budget = RequestBudget(requestsPerMinute: 4, window: window, clock: clock)
        let admitters = Task { try await admitConcurrently(budget, count: 24) }
        while await budget.admittedCount < 24 {
            await budget.rateLimited(for: .milliseconds(Int.random(in: 10...120)))
            await clock.advance(by: .milliseconds(Int.random(in: 5...60)))
        }
        let instants = try await admitters.value
        #expect(instants.count == 24)
        expectWithinBudget(instants, limit: 4, window: window)
        // Paced as well: a burst of 1 (the default below 20 a minute), one per 100 ms.
        expectPaced(instants, burst: 1, interval: window / 4)
    }

    /// A budget of one request per window with `count` waiters queued one after the other behind a 2 s
    /// 429 hold. The clock stands still until the test moves it, so the hold cannot run out while they queue.
    func queuedBudget(_ count: Int) async throws -> (TestClock<Duration>, RequestBudget, [Task<ElapsedClock.Instant, any Error>]) {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 1, clock: clock)
        await budget.rateLimited(for: .seconds(2))
        var waiters: [Task<ElapsedClock.Instant, any Error>] = []
        for index in 1...count {
            waiters.append(Task { try await budget.reserve() })
            try #require(await eventually { await budget.snapshot().waiting == index })
        }
        #expect(await budget.admittedCount == 0)
        return (clock, budget, waiters)
    }

    @Test("rateLimited holds every admission, queued or new, until the reset; a shorter hold does not shorten it")
    func rateLimitedHolds() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 100, window: .seconds(60), clock: clock)
        await budget.rateLimited(for: .seconds(1))
        let queued = Task { try await budget.reserve() }
        #expect(await eventually { await budget.snapshot().waiting == 1 })
        await clock.advance(by: .milliseconds(999))
        #expect(await budget.admittedCount == 0, "admitted during the hold")
        #expect(await clock.advance(by: .milliseconds(1)) { await budget.admittedCount == 1 })
        #expect(try await queued.value == at(.seconds(1)))
        #expect(try await budget.reserve() == at(.seconds(1)))
        #expect(await budget.snapshot().heldFor == nil)

        await budget.rateLimited(for: .seconds(60))
        await budget.rateLimited(for: .milliseconds(10))
        #expect(await budget.snapshot().heldFor == .seconds(60))
    }

    @Test("the client's reset instant on the continuous clock becomes a hold of the same length on the budget's clock")
    func resetInstantBecomesHold() async throws {
        let budget = RequestBudget(requestsPerMinute: 100, clock: TestClock())
        await budget.rateLimited(until: .now + .seconds(30))
        let held = try #require(await budget.snapshot().heldFor)
        #expect(held <= .seconds(30))
        #expect(held > .seconds(29))
    }

    @Test("a cancelled waiter leaves the queue at once and gives its turn to the next")
    func cancellation() async throws {
        let (clock, budget, waiters) = try await queuedBudget(3)
        waiters[1].cancel()
        await #expect(throws: CancellationError.self) { try await waiters[1].value }
        #expect(await budget.snapshot().waiting == 2)
        #expect(await clock.advance(by: .seconds(2)) { await budget.admittedCount == 1 })
        #expect(await clock.advance(by: Self.window) { await budget.admittedCount == 2 })
        #expect(try await waiters[0].value == at(.seconds(2)))
        #expect(try await waiters[2].value == at(.seconds(2) + Self.window))
        #expect(await budget.snapshot().waiting == 0)
    }

    @Test("a long wait ends with CancellationError when the task is cancelled, and nothing is admitted")
    func cancelLongWait() async throws {
        let budget = RequestBudget(requestsPerMinute: 1, clock: TestClock())
        try await budget.admit()
        let waiter = Task { try await budget.admit() }
        #expect(await eventually { await budget.snapshot().waiting == 1 })
        // The test clock never moves: only the cancellation can end the wait.
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await budget.snapshot().waiting == 0)
        #expect(await budget.admittedCount == 1)
        // A task cancelled before it asks is refused without taking a slot.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await budget.admit()
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(await budget.admittedCount == 1)
    }

    @Test("waiters are served first come, first served, one window apart")
    func fifo() async throws {
        let (clock, budget, waiters) = try await queuedBudget(5)
        #expect(await clock.advance(by: .seconds(2)) { await budget.admittedCount == 1 })
        for count in 2...5 {
            #expect(await clock.advance(by: Self.window) { await budget.admittedCount == count })
        }
        var instants: [ElapsedClock.Instant] = []
        for waiter in waiters {
            instants.append(try await waiter.value)
        }
        #expect(instants == (0..<5).map { at(.seconds(2) + Self.window * $0) })
    }

    @Test("the snapshot counts the window's admissions and the waiters")
    func snapshot() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 3, burst: 3, clock: clock)
        for _ in 0..<3 { try await budget.admit() }
        let waiter = Task { try await budget.admit() }
        #expect(await eventually { await budget.snapshot().waiting == 1 })
        let snapshot = await budget.snapshot()
        #expect(snapshot.limit == 3)
        #expect(snapshot.window == Self.window)
        #expect(snapshot.admittedInWindow == 3)
        #expect(snapshot.admittedTotal == 3)
        #expect(snapshot.heldFor == nil)
        #expect(snapshot.isExhausted)
        // Once the window has passed, the three are out of it and the waiter is in.
        #expect(await clock.advance(by: Self.window) { await budget.admittedCount == 4 })
        try await waiter.value
        let later = await budget.snapshot()
        #expect(later.admittedInWindow == 1)
        #expect(later.waiting == 0)
        #expect(!later.isExhausted)
    }
}
