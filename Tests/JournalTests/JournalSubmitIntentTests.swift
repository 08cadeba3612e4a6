import Foundation
import Journal
import Testing

/// The intent to submit means exactly "the POST may have been sent": it is taken back after an attempt that
/// provably cost nothing, and a finished result is kept before anything is downloaded.
@Suite("The intent to submit and the finished result")
struct JournalSubmitIntentTests {
    @Test("markNotSent puts a submitting job back in the queue, keeping what was to be sent; from any other state it is refused")
    func notSentGoesBackToTheQueue() async throws {
        let fixture = try JournalFixture()
        let journal = fixture.journal
        let job = try await journal.recordClaim(.sample("retry"))
        _ = try await journal.markSubmitting(job.id, request: #"{"model":"pulid-base"}"#)
        let queued = try await journal.markNotSent(job.id)
        #expect(queued.state == .claimed)
        #expect(queued.request == #"{"model":"pulid-base"}"#)
        #expect(try journal.nextToSubmit(limit: 5, skipping: []).map(\.id) == [job.id])
        // A restart then sees a queued job, not an unknown outcome.
        let plan = try fixture.reopen().recover()
        #expect(plan.outcomeUnknown.isEmpty && plan.requeue.map(\.id) == [job.id])
        await #expect(throws: JournalError.illegalTransition(id: job.id, from: .claimed, to: .claimed)) {
            try await journal.markNotSent(job.id)
        }
        let submitted = try await journal.job(named: "answered", in: .submitted)
        await #expect(throws: JournalError.illegalTransition(id: submitted.id, from: .submitted, to: .claimed)) {
            try await journal.markNotSent(submitted.id)
        }
    }

    @Test("recordResult keeps Segmind's answer on a submitted job, stops its polls, and survives a restart; it must be JSON")
    func resultIsKept() async throws {
        let fixture = try JournalFixture()
        let journal = fixture.journal
        let job = try await journal.job(named: "finished", in: .submitted)
        let answer = #"{"status":"COMPLETED","output":"https://cdn.example/a.png"}"#
        let recorded = try await journal.recordResult(job.id, result: answer)
        #expect(recorded.state == .submitted)
        #expect(recorded.nextPollAt == nil)
        let reopened = try fixture.reopen()
        #expect(try reopened.job(job.id)?.result == answer)
        #expect(try reopened.recover().resumePolling.map(\.id) == [job.id])
        await #expect(throws: JournalError.invalidJSON(field: "result")) {
            try await journal.recordResult(job.id, result: "not json")
        }
        let claimed = try await journal.recordClaim(.sample("early"))
        await #expect(throws: JournalError.illegalTransition(id: claimed.id, from: .claimed, to: .submitted)) {
            try await journal.recordResult(claimed.id, result: answer)
        }
    }
}
