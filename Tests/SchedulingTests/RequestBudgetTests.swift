import FacedropTestSupport
import Scheduling
import Synchronization
import Testing

/// Asserts that no `window`-long stretch holds more than `limit` of `instants`: after sorting, any
/// `limit + 1` consecutive admissions span at least a window.
func expectWithinBudget(_ instants: [ContinuousClock.Instant], limit: Int, window: Duration, sourceLocation: SourceLocation = #_sourceLocation) {
    let sorted = instants.sorted()
    for index in sorted.indices.dropLast(limit) {
        let span = sorted[index + limit] - sorted[index]
        #expect(span >= window, "\(limit + 1) admissions within \(span)", sourceLocation: sourceLocation)
    }
}

/// Starts `count` tasks that each take one slot, and returns the instants the budget counted them at.
func admitConcurrently(_ budget: RequestBudget, count: Int) async throws -> [ContinuousClock.Instant] {
    try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
        for _ in 0..<count {
            group.addTask { try await budget.reserve() }
        }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}

@Suite("RequestBudget: one requests-per-minute budget for every job")
struct RequestBudgetTests {
    @Test("40 concurrent admitters never get more than 5 slots in any 500 ms")
    func slidingWindow() async throws {
        let window = Duration.milliseconds(500)
        let budget = RequestBudget(requestsPerMinute: 5, window: window)
        let started = ContinuousClock.now
        let instants = try await admitConcurrently(budget, count: 40)
        #expect(instants.count == 40)
        expectWithinBudget(instants, limit: 5, window: window)
        // 40 admissions at 5 per window need at least 7 full windows after the first burst.
        let sorted = instants.sorted()
        #expect(sorted[35] - sorted[0] >= window * 7)
        #expect(ContinuousClock.now - started >= .milliseconds(3500))
        #expect(await budget.admittedCount == 40)
        let snapshot = await budget.snapshot()
        #expect(snapshot.admittedInWindow <= 5)
        #expect(snapshot.waiting == 0)
    }

    @Test("a storm of 429 holds never lets more than the budget through")
    func stormKeepsTheBound() async throws {
        let window = Duration.milliseconds(400)
        let budget = RequestBudget(requestsPerMinute: 4, window: window)
        let storm = Task {
            while !Task.isCancelled {
                await budget.rateLimited(until: .now + .milliseconds(Int.random(in: 10...120)))
                try? await Task.sleep(for: .milliseconds(Int.random(in: 5...60)))
            }
        }
        let instants = try await admitConcurrently(budget, count: 24)
        storm.cancel()
        #expect(instants.count == 24)
        expectWithinBudget(instants, limit: 4, window: window)
    }

    /// A budget with `count` waiters queued one after the other behind a 429 hold, with at least a
    /// quarter of the hold still to run. A machine too busy to queue them all before the hold ends
    /// (the whole suite shares two cores) makes it start again with a longer hold.
    func queuedBudget(_ count: Int, window: Duration) async throws -> (RequestBudget, [Task<ContinuousClock.Instant, any Error>]) {
        for hold in [Duration.seconds(2), .seconds(8), .seconds(30)] {
            let budget = RequestBudget(requestsPerMinute: 1, window: window)
            await budget.rateLimited(until: .now + hold)
            var waiters: [Task<ContinuousClock.Instant, any Error>] = []
            for index in 1...count {
                waiters.append(Task { try await budget.reserve() })
                _ = await eventually(timeout: hold) {
                    let snapshot = await budget.snapshot()
                    return snapshot.waiting == index || snapshot.admittedTotal > 0
                }
            }
            let snapshot = await budget.snapshot()
            if snapshot.waiting == count, snapshot.admittedTotal == 0, let left = snapshot.heldFor, left > hold / 4 {
                return (budget, waiters)
            }
            for waiter in waiters { waiter.cancel() }
        }
        Issue.record("the machine never queued \(count) waiters within a 30 s hold")
        throw CancellationError()
    }

    @Test("rateLimited holds every admission, queued or new, until the reset; a shorter hold does not shorten it")
    func rateLimitedHolds() async throws {
        let budget = RequestBudget(requestsPerMinute: 100, window: .seconds(60))
        let reset = ContinuousClock.now + .seconds(1)
        await budget.rateLimited(until: reset)
        let queued = Task { try await budget.reserve() }
        #expect(try await queued.value >= reset)
        #expect(try await budget.reserve() >= reset)
        #expect(await budget.snapshot().heldUntil == nil)
        #expect(await budget.admittedCount == 2)

        let long = ContinuousClock.now + .seconds(60)
        await budget.rateLimited(until: long)
        await budget.rateLimited(until: .now + .milliseconds(10))
        let snapshot = await budget.snapshot()
        #expect(snapshot.heldUntil == long)
        #expect(try #require(snapshot.heldFor) > .seconds(30))
    }

    @Test("a cancelled waiter leaves the queue at once and gives its turn to the next")
    func cancellation() async throws {
        let (budget, waiters) = try await queuedBudget(3, window: .milliseconds(300))
        waiters[1].cancel()
        await #expect(throws: CancellationError.self) { try await waiters[1].value }
        #expect(await budget.snapshot().waiting == 2)
        let first = try await waiters[0].value
        let third = try await waiters[2].value
        #expect(third - first >= .milliseconds(300))
        #expect(await budget.admittedCount == 2)
    }

    @Test("a long wait ends with CancellationError when the task is cancelled, and nothing is admitted")
    func cancelLongWait() async throws {
        let budget = RequestBudget(requestsPerMinute: 1)
        try await budget.admit()
        let waiter = Task { try await budget.admit() }
        #expect(await eventually { await budget.snapshot().waiting == 1 })
        let cancelled = ContinuousClock.now
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(ContinuousClock.now - cancelled < .seconds(50), "the waiter did not sit out the window")
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

    @Test("waiters are served first come, first served")
    func fifo() async throws {
        let (_, waiters) = try await queuedBudget(5, window: .milliseconds(100))
        var instants: [ContinuousClock.Instant] = []
        for waiter in waiters {
            instants.append(try await waiter.value)
        }
        #expect(instants == instants.sorted())
        for (earlier, later) in zip(instants, instants.dropFirst()) {
            #expect(later - earlier >= .milliseconds(100))
        }
    }

    @Test("the snapshot counts the window's admissions and the waiters")
    func snapshot() async throws {
        let budget = RequestBudget(requestsPerMinute: 3)
        for _ in 0..<3 { try await budget.admit() }
        let waiter = Task { try await budget.admit() }
        #expect(await eventually { await budget.snapshot().waiting == 1 })
        let snapshot = await budget.snapshot()
        #expect(snapshot.limit == 3)
        #expect(snapshot.window == .seconds(60) + RequestBudget.arrivalGuard)
        #expect(snapshot.admittedInWindow == 3)
        #expect(snapshot.admittedTotal == 3)
        #expect(snapshot.heldUntil == nil)
        waiter.cancel()
        _ = await waiter.result
    }
}
