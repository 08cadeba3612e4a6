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

    @Test("at a 10,000-job backlog over 10,000 finished jobs, one export's count takes milliseconds")
    func backlog() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        try await withThrowingTaskGroup { group in
            for index in 0..<20_000 {
                group.addTask {
                    let claim = try await journal.recordClaim(.sample("job-\(index)", model: index % 2 == 0 ? "pulid-base" : "flux-pulid"))
                    if index >= 10_000 { try await journal.markFailed(claim.id, code: "test", record: "{}") }
                }
                if index % 500 == 499 { try await group.waitForAll() }
            }
            try await group.waitForAll()
        }
        let clock = ContinuousClock()
        var slowest: Duration = .zero
        for _ in 0..<5 {
            let start = clock.now
            let counts = try journal.unfinishedCounts()
            slowest = max(slowest, clock.now - start)
            #expect(counts.map(\.count).reduce(0, +) == 10_000)
        }
        #expect(slowest < .milliseconds(250), "unfinishedCounts took \(slowest) at a 10,000-job backlog")
    }
}
