import Clocks
import FacedropTestSupport
import Scheduling
import Synchronization
import Testing

/// The order requests were admitted in, written from many tasks.
final class AdmissionOrder: Sendable {
    private let names = Mutex<[String]>([])

    func append(_ name: String) { names.withLock { $0.append(name) } }
    var all: [String] { names.withLock { $0 } }
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
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<10 {
            tasks.append(
                Task {
                    try await RequestShare.$current.withValue(busy) { _ = try await budget.reserve() }
                    order.append("bulk-\(index)")
                }
            )
            #expect(await eventually { await budget.snapshot().waiting == index + 1 })
        }
        tasks.append(
            Task {
                try await RequestShare.$current.withValue(quiet) { _ = try await budget.reserve() }
                order.append("quiet")
            }
        )
        #expect(await eventually { await budget.snapshot().waiting == 11 })
        for admitted in 1...3 {
            await clock.advance(by: .milliseconds(1017))
            #expect(await eventually { order.all.count == admitted })
        }
        // The queue that was already waiting goes first, then the newcomer, then they alternate (only bulk is left).
        #expect(order.all == ["bulk-0", "quiet", "bulk-1"])
        for task in tasks { task.cancel() }
    }

    @Test("requests made outside a job (credit checks) go before the queues' requests")
    func unsharedGoFirst() async throws {
        let clock = TestClock()
        let budget = RequestBudget(requestsPerMinute: 60, burst: 1, clock: clock)
        let busy = RequestShare(share: QueueShare(inbox: "bulk"), weight: 1)
        let order = AdmissionOrder()
        _ = try await budget.reserve()
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<3 {
            tasks.append(
                Task {
                    try await RequestShare.$current.withValue(busy) { _ = try await budget.reserve() }
                    order.append("bulk-\(index)")
                }
            )
            #expect(await eventually { await budget.snapshot().waiting == index + 1 })
        }
        tasks.append(
            Task {
                _ = try await budget.reserve()
                order.append("credits")
            }
        )
        #expect(await eventually { await budget.snapshot().waiting == 4 })
        await clock.advance(by: .milliseconds(1017))
        #expect(await eventually { order.all.count == 1 })
        #expect(order.all == ["credits"])
        for task in tasks { task.cancel() }
    }
}
