import Clocks
import FacedropTestSupport
import Scheduling
import SegmindAPI
import Synchronization
import Testing

/// The order requests were admitted in, written from many tasks.
final class AdmissionOrder: Sendable {
    private let names = Mutex<[String]>([])
    private let tasks = Mutex<[Task<Void, any Error>]>([])

    func append(_ name: String) { names.withLock { $0.append(name) } }
    var all: [String] { names.withLock { $0 } }

    /// Starts a request for `share` (none: outside a job) named `name`, and waits until the budget holds it.
    func enqueue(_ name: String, share: RequestShare?, kind: RequestKind = .read, probe: Bool = false, on budget: RequestBudget) async {
        let waiting = await budget.snapshot().waiting
        let task = Task {
            try await RequestShare.$current.withValue(share) {
                try await PollProbe.$current.withValue(probe) { _ = try await budget.reserve(kind) }
            }
            self.append(name)
        }
        tasks.withLock { $0.append(task) }
        #expect(await eventually { await budget.snapshot().waiting == waiting + 1 })
    }

    /// Ends the requests still waiting.
    func cancelAll() {
        tasks.withLock { tasks in
            for task in tasks { task.cancel() }
        }
    }
}

@Suite("RequestBudget: waiting requests take turns between queues")
struct RequestBudgetTurnsTests {
    @Test("a quiet queue's request goes before the tenth of a busy queue's waiting requests")
    func quietQueueGoesNext() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 60, burst: 1, clock: clock)
        let busy = RequestShare(share: QueueShare(inbox: "bulk"), weight: 1)
        let quiet = RequestShare(share: QueueShare(inbox: "quiet"), weight: 1)
        let order = AdmissionOrder()
        // The burst's one token goes at once; the rest wait a second each.
        _ = try await RequestShare.$current.withValue(busy) { try await budget.reserve() }
        for index in 0..<10 {
            await order.enqueue("bulk-\(index)", share: busy, on: budget)
        }
        await order.enqueue("quiet", share: quiet, on: budget)
        for admitted in 1...3 {
            await clock.advance(by: .milliseconds(1017))
            #expect(await eventually { order.all.count == admitted })
        }
        // The queue that was already waiting goes first, then the newcomer, then they alternate (only bulk is left).
        #expect(order.all == ["bulk-0", "quiet", "bulk-1"])
        order.cancelAll()
    }

    @Test("a queue's polls and results go before its submits, which keep their order; other queues keep their turns")
    func readsBeforeSubmits() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 60, burst: 1, clock: clock)
        let busy = RequestShare(share: QueueShare(inbox: "bulk"), weight: 1)
        let other = RequestShare(share: QueueShare(inbox: "other"), weight: 1)
        let order = AdmissionOrder()
        _ = try await budget.reserve()
        await order.enqueue("submit-1", share: busy, kind: .submit, on: budget)
        await order.enqueue("submit-2", share: busy, kind: .submit, on: budget)
        await order.enqueue("poll-1", share: busy, kind: .read, on: budget)
        await order.enqueue("other-submit", share: other, kind: .submit, on: budget)
        await order.enqueue("result-1", share: busy, kind: .read, on: budget)
        for admitted in 1...5 {
            await clock.advance(by: .milliseconds(1017))
            #expect(await eventually { order.all.count == admitted })
        }
        #expect(order.all == ["poll-1", "other-submit", "result-1", "submit-1", "submit-2"])
    }

    @Test("requests made outside a job (credit checks) go before the queues' requests")
    func unsharedGoFirst() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 60, burst: 1, clock: clock)
        let busy = RequestShare(share: QueueShare(inbox: "bulk"), weight: 1)
        let order = AdmissionOrder()
        _ = try await budget.reserve()
        for index in 0..<3 {
            await order.enqueue("bulk-\(index)", share: busy, on: budget)
        }
        await order.enqueue("credits", share: nil, on: budget)
        await clock.advance(by: .milliseconds(1017))
        #expect(await eventually { order.all.count == 1 })
        #expect(order.all == ["credits"])
        order.cancelAll()
    }
}
