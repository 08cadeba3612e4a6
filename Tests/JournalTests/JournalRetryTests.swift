import FacedropTestSupport
import Foundation
import Journal
import Testing

@Suite("Retries: a pending retry becomes the attempt of the next claim of its files, once")
struct JournalRetryTests {
    static func retry(name: String = "job", from claimID: String = "claim-1") -> PendingRetry {
        PendingRetry(inbox: "portraits", subpath: "team", name: name, attempt: 2, previousError: #"{"code":"generation_failed"}"#, retriedFrom: claimID)
    }

    @Test("the claim of the retried files carries the attempt and the earlier record; other claims do not")
    func claimTakesThePendingRetry() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        #expect(try await journal.registerRetry(Self.retry()))
        #expect(try journal.wasRetried(claimID: "claim-1"))
        var claim = JobClaim.sample("job")
        claim.inbox = "portraits"
        let retried = try await journal.recordClaim(claim)
        #expect(retried.attempt == 2)
        #expect(retried.previousError == #"{"code":"generation_failed"}"#)
        #expect(retried.retriedFrom == "claim-1")
        // Consumed: the next claim of the same name is a plain new drop.
        var again = JobClaim.sample("job")
        again.inbox = "portraits"
        again.claimedPath += "-again"
        let plain = try await journal.recordClaim(again)
        #expect(plain.attempt == 1)
        #expect(plain.previousError == nil)
        #expect(try journal.wasRetried(claimID: "claim-1"))
    }

    @Test("a retry of an attempt already retried is refused (a retry folder found again after a crash); a pending one may be registered again")
    func retriedOnce() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        #expect(try await journal.registerRetry(Self.retry()))
        #expect(try await journal.registerRetry(Self.retry()), "still pending: the files may not all be back yet")
        var claim = JobClaim.sample("job")
        claim.inbox = "portraits"
        try await journal.recordClaim(claim)
        #expect(try await journal.registerRetry(Self.retry()) == false)
        #expect(try journal.wasRetried(claimID: "claim-2") == false)
        #expect(try await journal.registerRetry(Self.retry(name: "other", from: "claim-2")))
        try await journal.forgetRetry(retriedFrom: "claim-2")
        #expect(try journal.wasRetried(claimID: "claim-2") == false)
    }

    @Test("ended jobs with a folder are found by code for facedrop retry --code")
    func endedJobsByCode() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let failed = try await journal.job(named: "failed", in: .failed)
        try await journal.recordFailureDelivered(failed.id, resultFolder: "/srv/outbox/failed/failed")
        _ = try await journal.job(named: "undelivered", in: .failed)
        _ = try await journal.job(named: "running", in: .submitted)
        #expect(try journal.endedJobs(code: "failed").map(\.name) == ["failed"])
        #expect(try journal.endedJobs(code: "outcome_unknown").isEmpty)
        #expect(try journal.endedJobs(code: nil).map(\.name) == ["failed"])
    }
}
