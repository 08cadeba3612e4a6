import Foundation
import Testing

@testable import Daemon

@Suite("At most so many prepared submits at once")
struct SubmitSlotsTests {
    @Test("the limit holds: the next caller waits until a slot is given back, then gets it")
    func limitHolds() async throws {
        let slots = SubmitSlots(limit: 2)
        #expect(await slots.acquire())
        #expect(await slots.acquire())
        let third = Task { await slots.acquire() }
        try await waitUntil { slots.usage.waiting == 1 }
        #expect(slots.usage.taken == 2)
        slots.release()
        #expect(await third.value)
        #expect(slots.usage.taken == 2 && slots.usage.waiting == 0)
        slots.release()
        slots.release()
        #expect(slots.usage.taken == 0)
    }

    @Test("waiters are served in order")
    func firstComeFirstServed() async throws {
        let slots = SubmitSlots(limit: 1)
        #expect(await slots.acquire())
        var waiters: [Task<Bool, Never>] = []
        for count in 1...3 {
            waiters.append(Task { await slots.acquire() })
            try await waitUntil { slots.usage.waiting == count }
        }
        slots.release()
        #expect(await waiters[0].value)
        #expect(slots.usage.waiting == 2)
        slots.release()
        #expect(await waiters[1].value)
        slots.release()
        #expect(await waiters[2].value)
    }

    @Test("a waiter cancelled (the daemon stopping) gets no slot and leaves none taken")
    func cancelledWaiter() async throws {
        let slots = SubmitSlots(limit: 1)
        #expect(await slots.acquire())
        let waiter = Task { await slots.acquire() }
        try await waitUntil { slots.usage.waiting == 1 }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(slots.usage.waiting == 0)
        slots.release()
        #expect(slots.usage.taken == 0)
        let late = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await slots.acquire()
        }
        #expect(await late.value == false)
        #expect(slots.usage.taken == 0)
    }

    /// Waits up to 60 s: what it waits for takes milliseconds, but on a loaded two-core machine the cooperative
    /// pool may not run the waiting task for many seconds.
    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out")
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
