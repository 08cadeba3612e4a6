import Clocks
import DedicatedThreads
import FacedropTestSupport
import Scheduling
import Testing

/// Asserts that no stretch from one of `instants` to a later one holds more than `burst` admissions plus one per
/// `interval` of its length: m admissions from a to b need b − a ≥ (m − burst) · interval.
func expectPaced(_ instants: [ElapsedClock.Instant], burst: Int, interval: Duration, sourceLocation: SourceLocation = #_sourceLocation) {
    let sorted = instants.sorted()
    for first in sorted.indices {
        for last in sorted.indices[first...] where last - first + 1 > burst {
            let span = sorted[last] - sorted[first]
            let needed = interval * (last - first + 1 - burst)
            if span < needed {
                Issue.record("\(last - first + 1) admissions within \(span), from \(sorted[first].offset)", sourceLocation: sourceLocation)
                return
            }
        }
    }
}

/// Moves `clock` by `step`, `steps` times, and after each move lets `budget` serve what fell due and set its
/// timer again before the clock moves on: every admission is then counted at the instant it fell due, as long
/// as those instants lie on the grid of steps.
func drive(_ clock: TestClock<Duration>, _ budget: RequestBudget, step: Duration, steps: Int) async throws {
    for _ in 0..<steps {
        await clock.advance(by: step)
        let settled = await eventually(every: .milliseconds(1)) {
            if await budget.snapshot().waiting == 0 { return true }
            return await clock.hasSleepers
        }
        try #require(settled, "the budget set no timer again at \(clock.now)")
    }
}

/// How many of `instants` lie in `[start, start + length)`.
func countAdmissions(_ instants: [ElapsedClock.Instant], from start: Duration, for length: Duration) -> Int {
    instants.count { $0 >= at(start) && $0 < at(start + length) }
}

@Suite("RequestBudget: steady pacing within the window")
struct RequestBudgetPacingTests {
    static let window = Duration.seconds(60) + RequestBudget.arrivalGuard
    /// 61 s / 50.
    static let interval = Duration.milliseconds(1220)

    @Test("the default burst is a tenth of the limit, 1 to 5; a configured one is kept within 1 and the limit")
    func burstSizes() async {
        #expect([1, 3, 19, 20, 29, 30, 50, 600, 10_000].map { RequestBudget.defaultBurst(requestsPerMinute: $0) } == [1, 1, 1, 2, 2, 3, 5, 5, 5])
        #expect(await RequestBudget(requestsPerMinute: 50, clock: TestClock()).burst == 5)
        #expect(await RequestBudget(requestsPerMinute: 50, clock: TestClock()).interval == Self.interval)
        #expect(await RequestBudget(requestsPerMinute: 50, burst: 80, clock: TestClock()).burst == 50)
        #expect(await RequestBudget(requestsPerMinute: 50, burst: 0, clock: TestClock()).burst == 1)
    }

    @Test("a backlog at 50 a minute: 5 at once, then one every 1.22 s; 50 in every window, never more in any 61 s")
    func backlogIsSpread() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 50, clock: clock)
        let admitters = Task { try await admitConcurrently(budget, count: 200) }
        #expect(await eventually { await budget.snapshot().waiting == 195 })
        #expect(await clock.waitForSleeper())
        // Four windows, one interval at a time.
        try await drive(clock, budget, step: Self.interval, steps: 200)
        let instants = try await admitters.value
        #expect(instants.count == 200)

        // The burst, then the rate: no stretch holds more than 5 plus one per 1.22 s.
        #expect(instants.count { $0 == at(.zero) } == 5)
        expectPaced(instants, burst: 5, interval: Self.interval)
        // Spread over the first minute: every 10 s of it carries some (the last, where the window rests for 6.1 s,
        // five), none more than the burst and 10 s / 1.22 s.
        let firstMinute = stride(from: 0, to: 60, by: 10).map { countAdmissions(instants, from: .seconds($0), for: .seconds(10)) }
        #expect(firstMinute == [13, 8, 8, 8, 8, 5], "admissions per 10 s of the first minute")
        // The window still caps it: never more than 50 in any 61 s, and exactly 50 in each of the four windows.
        expectWithinBudget(instants, limit: 50, window: Self.window)
        let perWindow = (0..<4).map { countAdmissions(instants, from: Self.window * $0, for: Self.window) }
        #expect(perWindow == [50, 50, 50, 50])
        // The whole shape: each window opens with a burst of 5 (the bucket refilled while the window was full),
        // then 45 one interval apart, and rests the last 6.1 s.
        let expected = (0..<4).flatMap { window in
            let start = Self.window * window
            return Array(repeating: at(start), count: 5) + (1...45).map { at(start + Self.interval * $0) }
        }
        #expect(instants.sorted() == expected)
    }

    @Test("an idle budget fills its bucket to the burst and no further")
    func refillsToTheBurst() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 50, clock: clock)
        for _ in 0..<5 { #expect(try await budget.reserve() == at(.zero)) }
        let sixth = Task { try await budget.reserve() }
        #expect(await eventually { await budget.snapshot().waiting == 1 })
        await clock.advance(by: Self.interval - .milliseconds(1))
        #expect(await budget.admittedCount == 5, "admitted before a token came back")
        #expect(await clock.advance(by: .milliseconds(1)) { await budget.admittedCount == 6 })
        #expect(try await sixth.value == at(Self.interval))
        // Thirty idle seconds bring back five tokens, not twenty-five: five go at once, the next two wait.
        await clock.advance(by: .seconds(30))
        let seven = Task { try await admitConcurrently(budget, count: 7) }
        #expect(await eventually { await budget.snapshot().waiting == 2 })
        #expect(await budget.admittedCount == 11)
        #expect(await clock.advance(by: Self.interval) { await budget.admittedCount == 12 })
        #expect(await clock.advance(by: Self.interval) { await budget.admittedCount == 13 })
        let instants = try await seven.value
        #expect(instants.sorted() == Array(repeating: at(Self.interval + .seconds(30)), count: 5) + [1, 2].map { at(Self.interval * (1 + $0) + .seconds(30)) })
    }

    @Test("the end of a 429 hold lets the burst go, then the queue one interval apart, first come first served")
    func pacedAfterHold() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 50, clock: clock)
        await budget.rateLimited(for: .seconds(10))
        var waiters: [Task<ElapsedClock.Instant, any Error>] = []
        for index in 1...8 {
            waiters.append(Task { try await budget.reserve() })
            try #require(await eventually { await budget.snapshot().waiting == index })
        }
        await clock.advance(by: .seconds(10) - .milliseconds(1))
        #expect(await budget.admittedCount == 0, "admitted during the hold")
        #expect(await clock.advance(by: .milliseconds(1)) { await budget.admittedCount == 5 })
        #expect(await budget.snapshot().waiting == 3)
        for admitted in 6...8 {
            #expect(await clock.advance(by: Self.interval) { await budget.admittedCount == admitted })
        }
        var instants: [ElapsedClock.Instant] = []
        for waiter in waiters { instants.append(try await waiter.value) }
        #expect(instants == Array(repeating: at(.seconds(10)), count: 5) + (1...3).map { at(.seconds(10) + Self.interval * $0) })
    }
}
