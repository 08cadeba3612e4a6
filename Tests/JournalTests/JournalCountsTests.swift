import Foundation
import Journal
import Testing

@Suite("Journal: unfinished jobs by state, inbox and model (the metrics' jobs gauge)")
struct JournalCountsTests {
    @Test("grouped by state, inbox and model; finished jobs left out; a job without a model is counted too")
    func grouped() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        try await journal.job(named: "a", in: .claimed)
        try await journal.job(named: "b", in: .claimed)
        try await journal.job(named: "c", in: .claimed, model: "flux-pulid")
        try await journal.job(named: "d", in: .submitted)
        try await journal.job(named: "e", in: .waitingForBudget, model: nil)
        try await journal.job(named: "f", in: .done)
        try await journal.job(named: "g", in: .failed)
        var other = JobClaim.sample("h")
        other.inbox = "/srv/other"
        _ = try await journal.recordClaim(other)

        let counts = Set(try journal.unfinishedCounts())
        #expect(
            counts == [
                UnfinishedCount(state: .claimed, inbox: "/srv/inbox", model: "pulid-base", count: 2),
                UnfinishedCount(state: .claimed, inbox: "/srv/inbox", model: "flux-pulid", count: 1),
                UnfinishedCount(state: .submitted, inbox: "/srv/inbox", model: "pulid-base", count: 1),
                UnfinishedCount(state: .waitingForBudget, inbox: "/srv/inbox", model: nil, count: 1),
                UnfinishedCount(state: .claimed, inbox: "/srv/other", model: "pulid-base", count: 1),
            ]
        )
    }

    /// 1,500 unfinished jobs over 1,500 finished ones by default, so the quick tier (whose tests share the machine's two
    /// cores) stays quick; `FACEDROP_BACKLOG_JOBS=10000` measures the 10,000-job backlog the bound is meant for.
    @Test("at a large backlog over as many finished jobs, one export's count takes milliseconds")
    func backlog() async throws {
        let backlog = Int(ProcessInfo.processInfo.environment["FACEDROP_BACKLOG_JOBS"] ?? "") ?? 1_500
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        try await withThrowingTaskGroup { group in
            for index in 0..<(2 * backlog) {
                group.addTask {
                    let claim = try await journal.recordClaim(.sample("job-\(index)", model: index % 2 == 0 ? "pulid-base" : "flux-pulid"))
                    if index >= backlog { try await journal.markFailed(claim.id, code: "test", record: "{}") }
                }
                if index % 100 == 99 { try await group.waitForAll() }
            }
            try await group.waitForAll()
        }
        let clock = ContinuousClock()
        var slowest: Duration = .zero
        for _ in 0..<5 {
            let start = clock.now
            let counts = try journal.unfinishedCounts()
            slowest = max(slowest, clock.now - start)
            #expect(counts.map(\.count).reduce(0, +) == backlog)
        }
        #expect(slowest < .milliseconds(250), "unfinishedCounts took \(slowest) at a \(backlog)-job backlog")
    }
}
