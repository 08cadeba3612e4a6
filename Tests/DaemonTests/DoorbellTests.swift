import Clocks
import DedicatedThreads
import FacedropTestSupport
import Scheduling
import Synchronization
import Testing

@testable import Daemon

/// Set once, read from any task.
private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// Whether `task` finishes within `timeout` of real time, asked without waiting for it longer.
private func hasFinished(_ task: Task<Void, Never>, within timeout: Duration = .seconds(15)) async -> Bool {
    let finished = Flag()
    Task {
        await task.value
        finished.set()
    }
    return await eventually(timeout: timeout, every: .milliseconds(1)) { finished.isSet }
}

/// A bell on a test clock and a task waiting on it until 30 s from now, once the wait's timer sleeps.
private func timedWait() async -> (clock: TestClock<Duration>, bell: Doorbell, waiting: Task<Void, Never>) {
    let clock = TestClock()
    let bell = Doorbell(clock: clock)
    let waiting = Task { await bell.wait(until: bell.clock.now + .seconds(30)) }
    #expect(await clock.waitForSleeper())
    return (clock, bell, waiting)
}

@Suite("The doorbell that wakes the daemon's loops")
struct DoorbellTests {
    @Test("a ring before the wait is remembered: the wait returns though its deadline never comes")
    func ringBeforeWait() async {
        let clock = TestClock()
        let bell = Doorbell(clock: clock)
        bell.ring()
        let waiting = Task { await bell.wait(until: bell.clock.now + .seconds(30)) }
        #expect(await hasFinished(waiting))
    }

    @Test("a wait ends at its deadline without a ring, not before")
    func deadline() async {
        let (clock, _, waiting) = await timedWait()
        await clock.advance(by: .seconds(30) - .milliseconds(1))
        #expect(!(await hasFinished(waiting, within: .milliseconds(50))), "the wait ended before its deadline")
        await clock.advance(by: .milliseconds(1))
        #expect(await hasFinished(waiting))
    }

    @Test("a ring from another task ends a wait before its deadline")
    func ringWakes() async {
        let (clock, bell, waiting) = await timedWait()
        bell.ring()
        #expect(await hasFinished(waiting))
        #expect(await eventually { !(await clock.hasSleepers) }, "the ended wait left its timer sleeping")
    }

    @Test("cancelling the waiting task ends the wait, with or without a deadline")
    func cancellation() async {
        let (_, bell, timed) = await timedWait()
        timed.cancel()
        #expect(await hasFinished(timed))
        let untimed = Task { await bell.wait(until: nil) }
        untimed.cancel()
        #expect(await hasFinished(untimed))
    }
}

@Suite("The doorbell does not spin")
struct DoorbellSpinTests {
    @Test("a wait that ends early leaves no ring behind from its cancelled timer")
    func noStaleRing() async {
        let clock = TestClock()
        let bell = Doorbell(clock: clock)
        // End a wait early by a ring; its timer is cancelled and must not ring when its deadline passes.
        bell.ring()
        await bell.wait(until: bell.clock.now + .seconds(30))
        await clock.advance(by: .seconds(60))
        let waiting = Task { await bell.wait(until: bell.clock.now + .seconds(1)) }
        #expect(await clock.waitForSleeper())
        #expect(!(await hasFinished(waiting, within: .milliseconds(50))), "a stale ring ended the wait at once")
        await clock.advance(by: .seconds(1))
        #expect(await hasFinished(waiting))
    }
}
