import DedicatedThreads
import Synchronization
import Testing

@Suite struct TimerClockTests {
    /// The order sleepers woke in.
    final class WakeOrder: Sendable {
        let indices = Mutex<[Int]>([])
    }

    @Test("a sleep ends at its deadline, not before", arguments: [1, 5, 20])
    func sleepsUntilTheDeadline(milliseconds: Int) async throws {
        let clock = TimerClock()
        let deadline = clock.now + .milliseconds(milliseconds)
        try await clock.sleep(until: deadline)
        #expect(ContinuousClock.now >= deadline)
    }

    @Test("a deadline already past returns at once")
    func pastDeadline() async throws {
        let clock = TimerClock()
        try await clock.sleep(until: clock.now - .seconds(1))
    }

    @Test("sleepers wake in the order of their deadlines, whatever the order they began in")
    func wakesInDeadlineOrder() async throws {
        let clock = TimerClock()
        let start = clock.now + .milliseconds(300)
        let woken = WakeOrder()
        let lateStarts = WakeOrder()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in [4, 1, 3, 0, 2] {
                group.addTask {
                    let deadline = start + .milliseconds(100 * index)
                    if clock.now >= start { lateStarts.indices.withLock { $0.append(index) } }
                    try await clock.sleep(until: deadline)
                    #expect(clock.now >= deadline)
                    woken.indices.withLock { $0.append(index) }
                }
            }
            try await group.waitForAll()
        }
        // The order only says something when every sleeper was waiting before the first deadline (a machine
        // loaded enough to start a task 300 ms late starts it after its deadline, and it returns at once).
        if lateStarts.indices.withLock({ $0.isEmpty }) {
            #expect(woken.indices.withLock { $0 } == [0, 1, 2, 3, 4])
        }
    }

    @Test("cancelling a sleeping task ends its sleep with CancellationError")
    func cancellationEndsTheSleep() async throws {
        let clock = TimerClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(3600)) }
        try await clock.sleep(for: .milliseconds(10))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        // The cancelled sleeper is gone: a later sleep still wakes on time.
        let deadline = clock.now + .milliseconds(5)
        try await clock.sleep(until: deadline)
        #expect(clock.now >= deadline)
    }

    @Test("a task cancelled before it sleeps does not sleep")
    func cancelledBeforeSleeping() async {
        let clock = TimerClock()
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(3600))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test("a task that prefers the pool wakes on it")
    func wakesOnThePreferredExecutor() async throws {
        let name = try await ExecutorPreference.run(on: ThreadPoolExecutorTests.pool) {
            try await TimerClock().sleep(for: .milliseconds(5))
            return ThreadPoolExecutorTests.threadName()
        }
        #expect(name == "pool-tests")
    }
}
