import DedicatedThreads
import Foundation
import Journal
import Synchronization
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

    @Test("The intent journaled from a thread that blocks on the commit: on disk when it returns, refused from any state but claimed")
    func intentFromABlockingThread() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let job = try await journal.recordClaim(.sample("sending"))
        let sent = try await journal.job(named: "sent", in: .submitted)
        let results = Mutex<[Result<JobRecord, JournalError>]>([])
        // As libcurl's transfer thread does: no task, the thread itself waits for the group commit.
        let thread = DedicatedThread.start(name: "test-transfer") {
            for id in [job.id, job.id, sent.id] {
                let result: Result<JobRecord, JournalError>
                do throws(JournalError) {
                    result = .success(try journal.markSubmittingBlocking(id, request: #"{"model":"pulid-base"}"#))
                } catch {
                    result = .failure(error)
                }
                results.withLock { $0.append(result) }
            }
        }
        await Task.detached { thread.join() }.value
        let answers = results.withLock { $0 }
        #expect(answers.count == 3)
        #expect((try? answers[0].get())?.state == .submitting)
        #expect((try? answers[0].get())?.request == #"{"model":"pulid-base"}"#)
        #expect(throws: JournalError.illegalTransition(id: job.id, from: .submitting, to: .submitting)) { try answers[1].get() }
        #expect(throws: JournalError.illegalTransition(id: sent.id, from: .submitted, to: .submitting)) { try answers[2].get() }
        // Committed when it returned: a second connection sees it, and so does a restart.
        #expect(try fixture.reopen().job(job.id)?.state == .submitting)
        #expect(throws: JournalError.invalidJSON(field: "request")) { try journal.markSubmittingBlocking(job.id, request: "not json") }
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
