import Foundation
import Journal
import Testing

@Suite("Journal: jobs the outbox's retention must spare")
struct JournalRetentionTests {
    @Test("unfinished jobs and undelivered failures and cancellations are listed; finished ones are not")
    func unfinishedOutboxJobs() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        try await journal.job(named: "queued", in: .claimed)
        let delivered = try await journal.job(named: "delivered", in: .delivered)
        try await journal.job(named: "done", in: .done)
        let failedUndelivered = try await journal.job(named: "failed-undelivered", in: .failed)
        let failedDelivered = try await journal.job(named: "failed-delivered", in: .failed)
        try await journal.recordFailureDelivered(failedDelivered.id, resultFolder: "/srv/outbox/failed/team/failed-delivered")
        try await journal.job(named: "cancelled-undelivered", in: .cancelled)

        let unfinished = try journal.unfinishedOutboxJobs()
        #expect(unfinished.claimIDs == ["queued", "delivered", "failed-undelivered", "cancelled-undelivered"])
        #expect(unfinished.folders == [try #require(delivered.resultFolder)])
        #expect(failedUndelivered.resultFolder == nil)
    }
}
