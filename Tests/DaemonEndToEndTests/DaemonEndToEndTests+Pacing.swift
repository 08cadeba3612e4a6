import FacedropTestSupport
import Foundation
import SegmindEmulator
import Testing

/// Steady pacing: a backlog goes out spread over the minute, not as the whole minute's requests in the first
/// seconds and then nothing.
extension DaemonEndToEndTests {
    /// The most of `times` (sorted) that lie in any half-open stretch `[t, t + length)`.
    static func busiest(_ times: [Date], within length: TimeInterval) -> Int {
        var busiest = 0
        for (index, start) in times.enumerated() {
            busiest = max(busiest, times[index...].prefix { $0.timeIntervalSince(start) < length }.count)
        }
        return busiest
    }

    @Test("steady pacing: at 60 requests a minute a backlog goes out as a burst of 5, then about one a second, with no 429")
    func requestsArePaced() async throws {
        let rate = 60
        // The daemon's default burst at this rate, and the time one more request's token takes to come back.
        let burst = 5
        let interval = 61.0 / Double(rate)
        let jobs = Self.count("FACEDROP_E2E_PACED_JOBS", default: 6)
        var emulator = EmulatorConfiguration(timeScale: 0.01)
        emulator.requestsPerMinute = rate
        try await withDaemon(emulator: emulator, configure: { $0.requestsPerMinute = rate }) { server, daemon in
            let start = ContinuousClock.now
            let stems = try (1...jobs).map { try daemon.dropJob("paced-\($0)", sidecar: Self.instantSidecar).stem }
            try await daemon.waitFor("\(jobs) jobs to end", timeout: .seconds(60), every: .milliseconds(200)) {
                daemon.jobs(.done).count + daemon.jobs(.failed).count >= jobs
            }
            let elapsed = ContinuousClock.now - start
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            daemon.expectEachEndedOnce(stems)
            let requests = Self.apiRequests(await server.ledger())
            #expect(!requests.contains { $0.status == 429 }, "429s: \(requests.filter { $0.status == 429 }.map(\.path))")
            let times = requests.map(\.time).sorted()
            // Without pacing the whole backlog (every job's submit, polls and result) would go within a few seconds.
            #expect(times.count > 3 * burst, "too few requests to tell paced from lumped: \(times.count)")

            // No stretch from one request to a later one holds more than the burst plus one per interval, give or
            // take one request for the network's jitter between the budget and the emulator.
            var excess = 0.0
            for first in times.indices {
                for last in times.indices[first...] {
                    let allowed = Double(burst) + times[last].timeIntervalSince(times[first]) / interval
                    excess = max(excess, Double(last - first + 1) - allowed)
                }
            }
            #expect(excess < 1, "\(excess) requests more than the burst and the rate allow in one stretch")
            let inAnySecond = Self.busiest(times, within: 1)
            let inAnyFiveSeconds = Self.busiest(times, within: 5)
            #expect(inAnySecond <= burst + 1)
            #expect(inAnyFiveSeconds <= burst + 5 + 1)
            let span = times.last.map { $0.timeIntervalSince(times[0]) } ?? 0
            print(
                "facedrop end-to-end pacing: \(times.count) requests of \(jobs) jobs over \(String(format: "%.1f", span)) s "
                    + "(at most \(inAnySecond) in any second, \(inAnyFiveSeconds) in any 5 s), all done in \(elapsed)"
            )
        }
    }
}
