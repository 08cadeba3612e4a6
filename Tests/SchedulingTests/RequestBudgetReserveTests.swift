import Clocks
import DedicatedThreads
import FacedropTestSupport
import Scheduling
import SegmindAPI
import Testing

/// Starts `count` tasks that each take one slot of `kind`, and returns the instants the budget counted them at.
func admitConcurrently(_ budget: RequestBudget, count: Int, kind: RequestKind) async throws -> [ElapsedClock.Instant] {
    try await withThrowingTaskGroup(of: ElapsedClock.Instant.self) { group in
        for _ in 0..<count {
            group.addTask { try await budget.reserve(kind) }
        }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}

@Suite("RequestBudget: the last tokens and places are kept for polls and results")
struct RequestBudgetReserveTests {
    static let window = Duration.seconds(60) + RequestBudget.arrivalGuard
    /// 61 s / 50.
    static let interval = Duration.milliseconds(1220)

    @Test("the reserve is half the burst, rounded down, at most 2: none for a burst of 1")
    func reserveSizes() async {
        #expect([1, 2, 3, 4, 5, 50].map { RequestBudget.readReserve(burst: $0) } == [0, 1, 1, 2, 2, 2])
        #expect(await RequestBudget(requestsPerMinute: 50, clock: TestClock()).readReserve == 2)
        #expect(await RequestBudget(requestsPerMinute: 5, clock: TestClock()).readReserve == 0)
    }

    @Test("submits take three of the five tokens; the other two go to reads at once, and a third read waits")
    func submitsLeaveTheReserve() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 50, clock: clock)
        for _ in 0..<3 { #expect(try await budget.reserve(.submit) == at(.zero)) }
        let fourthSubmit = Task { try await budget.reserve(.submit) }
        #expect(await eventually { await budget.snapshot().waiting == 1 })
        // The submit waits, yet reads still find their two tokens.
        for _ in 0..<2 { #expect(try await budget.reserve(.read) == at(.zero)) }
        let thirdRead = Task { try await budget.reserve(.read) }
        #expect(await eventually { await budget.snapshot().waiting == 2 })
        #expect(await budget.admittedCount == 5)
        // The first token back goes to the read that waits, although the submit asked first; the submit then
        // waits until the bucket holds the reserve plus one: three tokens, three intervals more.
        #expect(await clock.advance(by: Self.interval) { await budget.admittedCount == 6 })
        #expect(try await thirdRead.value == at(Self.interval))
        await clock.advance(by: Self.interval * 3 - .milliseconds(1))
        #expect(await budget.admittedCount == 6, "a submit took one of the reads' tokens")
        #expect(await clock.advance(by: .milliseconds(1)) { await budget.admittedCount == 7 })
        #expect(try await fourthSubmit.value == at(Self.interval * 4))
    }

    @Test("a probe goes after a due poll and before a submit, and leaves the reserve to due polls as a submit does")
    func probesBetweenDueReadsAndSubmits() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 50, clock: clock)
        let queue = RequestShare(share: QueueShare(inbox: "inbox"), weight: 1)
        let order = AdmissionOrder()
        // An empty bucket: three submits, then the two tokens of the reserve.
        for kind in [RequestKind.submit, .submit, .submit, .read, .read] { _ = try await budget.reserve(kind) }
        await order.enqueue("submit", share: queue, kind: .submit, on: budget)
        await order.enqueue("probe", share: queue, kind: .read, probe: true, on: budget)
        await order.enqueue("due", share: queue, kind: .read, on: budget)
        // The first token goes to the due poll, although it asked last.
        #expect(await clock.advance(by: Self.interval) { order.all.count == 1 })
        // The probe waits for the reserve plus one token, three more intervals; a due poll still goes at once.
        await clock.advance(by: Self.interval)
        #expect(try await PollProbe.$current.withValue(false) { try await budget.reserve(.read) } == at(Self.interval * 2))
        await clock.advance(by: Self.interval * 3 - .milliseconds(1))
        #expect(order.all.count == 1, "the probe took a token of the reserve")
        #expect(await clock.advance(by: .milliseconds(1)) { order.all.count == 2 })
        // The submit goes once the reserve is back after the probe.
        #expect(await clock.advance(by: Self.interval) { order.all.count == 3 })
        #expect(order.all == ["due", "probe", "submit"])
    }

    @Test("behind a backlog of submits, a poll that falls due is admitted at that instant, not a slot later")
    func dueReadGoesAtOnce() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 50, clock: clock)
        let submits = Task { try await admitConcurrently(budget, count: 30, kind: .submit) }
        #expect(await eventually { await budget.snapshot().waiting == 27 })
        #expect(await clock.waitForSleeper())
        try await drive(clock, budget, step: Self.interval, steps: 10)
        let before = await budget.admittedCount
        #expect(before == 13, "three at once, then one a slot")
        // Half a slot after the last admission: the bucket holds the reserve, so two reads go now.
        await clock.advance(by: Self.interval / 2)
        for _ in 0..<2 { #expect(try await budget.reserve(.read) == at(Self.interval * 10 + Self.interval / 2)) }
        // The submits go on one per slot once the reads' tokens are back.
        try await drive(clock, budget, step: Self.interval, steps: 30)
        let instants = try await submits.value
        expectPaced(instants, burst: 3, interval: Self.interval)
        submits.cancel()
    }

    @Test("a backlog of one submit and two reads per job gets 50 a window while both wait, paced, never more in any 61 s")
    func mixedBacklogKeepsTheRate() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 50, clock: clock)
        // The reads ask first, so the burst's five tokens go to reads whichever task the executor starts first:
        // with some submits among the first five, the backlog's schedule (and its last admission) shifts by a slot.
        let reads = Task { try await admitConcurrently(budget, count: 140, kind: .read) }
        #expect(await eventually { await budget.snapshot().waiting == 135 })
        let submits = Task { try await admitConcurrently(budget, count: 70, kind: .submit) }
        #expect(await eventually { await budget.snapshot().waiting == 205 })
        #expect(await clock.waitForSleeper())
        try await drive(clock, budget, step: Self.interval, steps: 220)
        let (readInstants, submitInstants) = (try await reads.value, try await submits.value)
        let instants = submitInstants + readInstants
        #expect(instants.count == 210)
        expectWithinBudget(instants, limit: 50, window: Self.window)
        expectPaced(instants, burst: 5, interval: Self.interval)
        // Reads go first, so they are the first 140; the two windows they fill are full. Once only submits are
        // left, the window keeps two places free: the one loss, when a backlog of reads runs dry.
        let perWindow = (0..<2).map { countAdmissions(instants, from: Self.window * $0, for: Self.window) }
        #expect(perWindow == [50, 50], "admissions per window")
        #expect(readInstants.max()! < submitInstants.max()!)
        // With the reads first, the last submit goes at 257.42 s: four windows and eleven slots.
        #expect(instants.max()! <= at(Self.window * 4 + Self.interval * 11), "the whole backlog took too long")
        // Submits alone never hold more than 48 places of a window nor take the last two tokens.
        expectWithinBudget(submitInstants, limit: 48, window: Self.window)
        expectPaced(submitInstants, burst: 3, interval: Self.interval)
    }

    @Test("submits with no read at all get the window less the reserve: 48 of 50")
    func submitsAloneLeaveTwoPlaces() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 50, clock: clock)
        let admitters = Task { try await admitConcurrently(budget, count: 96, kind: .submit) }
        #expect(await eventually { await budget.snapshot().waiting == 93 })
        #expect(await clock.waitForSleeper())
        try await drive(clock, budget, step: Self.interval, steps: 110)
        let instants = try await admitters.value
        let perWindow = (0..<2).map { countAdmissions(instants, from: Self.window * $0, for: Self.window) }
        #expect(perWindow == [48, 48])
        // A read still finds its places in a full window of submits.
        #expect(await budget.snapshot().admittedInWindow < 50)
    }
}
