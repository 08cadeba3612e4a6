import Foundation
import Journal
import Testing

@Suite("recordAdoption: a claim adopted from a dead host is journaled at the step its receipts show")
struct JournalAdoptionTests {
    @Test("each step becomes the state the executor resumes from, with what the receipts carried")
    func steps() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let claimed = try await journal.recordAdoption(.sample("a"), at: .claimed)
        #expect(claimed.state == .claimed)
        #expect(try journal.nextToSubmit(limit: 10).map(\.id) == [claimed.id])

        let intent = try await journal.recordAdoption(.sample("b"), at: .intent, request: #"{"model":"flux-pulid"}"#)
        #expect(intent.state == .submitting)
        #expect(intent.request == #"{"model":"flux-pulid"}"#)
        #expect(try journal.recover().outcomeUnknown.map(\.id) == [intent.id])

        let deadline = Date(timeIntervalSince1970: 1_800_000_600)
        let submitted = try await journal.recordAdoption(
            .sample("c"),
            at: .submitted(requestID: "req-c", statusURL: "https://s/c", responseURL: "https://r/c", submittedAt: nil, deadline: deadline, result: nil)
        )
        #expect(submitted.state == .submitted && submitted.requestID == "req-c" && submitted.statusURL == "https://s/c")
        #expect(submitted.deadline == deadline && submitted.nextPollAt != nil && submitted.result == nil)

        let answered = try await journal.recordAdoption(
            .sample("d"),
            at: .submitted(requestID: "req-d", statusURL: nil, responseURL: nil, submittedAt: nil, deadline: nil, result: #"{"status":"COMPLETED"}"#)
        )
        #expect(answered.result == #"{"status":"COMPLETED"}"#)

        let delivered = try await journal.recordAdoption(.sample("e"), at: .delivered(requestID: "req-e", folder: "/srv/out/done/e"))
        #expect(delivered.state == .delivered && delivered.resultFolder == "/srv/out/done/e")
        #expect(try journal.recover().finish.map(\.id) == [delivered.id])
    }

    @Test("a claim folder the journal knows is refused, and a request that is not JSON")
    func refusals() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        try await journal.recordAdoption(.sample("a"), at: .claimed)
        await #expect(throws: JournalError.duplicateClaim(claimedPath: JobClaim.sample("a").claimedPath)) {
            try await journal.recordAdoption(.sample("a"), at: .intent)
        }
        await #expect(throws: JournalError.self) { try await journal.recordAdoption(.sample("b"), at: .intent, request: "not json") }
    }

    @Test("the claim ID of an adopted folder is the original's")
    func claimID() {
        #expect(JobClaim.claimID(ofClaimFolder: "/in/.facedrop/20261206T100540-309fcf79461fa8ef") == "20261206T100540-309fcf79461fa8ef")
        #expect(
            JobClaim.claimID(ofClaimFolder: "/in/.facedrop/20261206T100540-309fcf79461fa8ef-0123456789abcdef") == "20261206T100540-309fcf79461fa8ef"
        )
        #expect(JobClaim.claimID(ofClaimFolder: "/in/.facedrop/claim-kept") == "claim-kept")
    }
}
