import Clocks
import CurlHTTP
import FacedropTestSupport
import Foundation
import Scheduling
import SegmindAPI
import SegmindEmulator
import Synchronization
import Testing

/// A count that concurrent tasks add to.
final class Counter: Sendable {
    private let storage = Mutex(0)
    func increment() { storage.withLock { $0 += 1 } }
    var value: Int { storage.withLock { $0 } }
}

@Suite("RequestBudget in front of the Segmind client")
struct BudgetWithClientTests {
    @Test("a budget equal to Segmind's limit never meets a 429; the request over it waits and can be cancelled")
    func budgetMatchesLimit() async throws {
        try await withEmulator(EmulatorConfiguration(timeScale: 0.01, requestsPerMinute: 3)) { _, url in
            // The budget's clock stands still: however slow the machine, its window never frees during the test.
            let budget = RequestBudget(requestsPerMinute: 3, burst: 3, clock: TestClock())
            let configuration = SegmindConfiguration(
                baseURL: url.absoluteString,
                apiKey: APIKey("emulator-key"),
                readRetry: .none,
                submitRetry: .none,
                gate: budget
            )
            let client = SegmindClient(configuration: configuration, http: try CurlHTTP.HTTPClient())
            // Polls count toward the emulator's limit; an unknown request answers 404 once admitted.
            let handle = client.handle(forRequestID: "unknown-1", model: "flux-pulid")
            let finished = Counter()
            let polls = (0..<4).map { _ in
                Task {
                    defer { finished.increment() }
                    return try await client.status(of: handle)
                }
            }
            // Three are admitted and answered, none with a 429 (there are no retries); one waits.
            #expect(await eventually(timeout: .seconds(40)) { finished.value == 3 })
            #expect(await budget.snapshot().waiting == 1)
            for poll in polls { poll.cancel() }
            var expired = 0
            var cancelled = 0
            for poll in polls {
                switch await poll.result {
                case .failure(let error as SegmindError) where error.code == "expired": expired += 1
                case .failure(let error as SegmindError) where error == .cancelled: cancelled += 1
                case let other: Issue.record("unexpected \(other)")
                }
            }
            #expect(expired == 3)
            #expect(cancelled == 1)
            #expect(await budget.admittedCount == 3)
        }
    }
}
