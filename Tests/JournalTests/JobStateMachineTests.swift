import Foundation
import Journal
import Testing

@Suite("Job state machine")
struct JobStateMachineTests {
    @Test("A job walks the happy path and every field is stored")
    func happyPath() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        var job = try await journal.recordClaim(.sample("portrait"))
        #expect(job.state == .claimed)
        #expect(job.outputs == "[]")

        job = try await journal.markSubmitting(job.id)
        #expect(job.state == .submitting)
        #expect(job.requestID == nil)

        fixture.clock.advance(by: 1)
        let submittedAt = fixture.clock.now
        job = try await journal.recordSubmitted(
            job.id,
            requestID: "req-1",
            statusURL: "https://s/1",
            responseURL: "https://r/1",
            nextPollAt: submittedAt.addingTimeInterval(20),
            deadline: submittedAt.addingTimeInterval(600)
        )
        #expect(job.state == .submitted)
        #expect(job.requestID == "req-1")
        #expect(job.statusURL == "https://s/1")
        #expect(job.responseURL == "https://r/1")
        #expect(job.submittedAt == submittedAt)
        #expect(job.deadline == submittedAt.addingTimeInterval(600))

        job = try await journal.recordPoll(job.id, nextPollAt: submittedAt.addingTimeInterval(30))
        job = try await journal.recordPoll(job.id, nextPollAt: submittedAt.addingTimeInterval(45))
        #expect(job.polls == 2)
        #expect(job.nextPollAt == submittedAt.addingTimeInterval(45))

        fixture.clock.advance(by: 40)
        job = try await journal.recordSpooled(job.id, spoolPath: "/spool/1", outputs: #"[{"file":"portrait-1.png"}]"#)
        #expect(job.state == .spooled)
        #expect(job.spoolPath == "/spool/1")
        #expect(job.outputs == #"[{"file":"portrait-1.png"}]"#)
        #expect(job.completedAt == fixture.clock.now)
        #expect(job.nextPollAt == nil)

        job = try await journal.markDelivered(job.id, resultFolder: "/outbox/done/team/portrait")
        #expect(job.state == .delivered)
        #expect(job.resultFolder == "/outbox/done/team/portrait")

        fixture.clock.advance(by: 1)
        job = try await journal.markDone(job.id)
        #expect(job.state == .done)
        #expect(job.updatedAt == fixture.clock.now)
        #expect(try journal.job(job.id) == job)
    }

    @Test("Failing is allowed from every unfinished state and stores the error record")
    func failFromAnyUnfinishedState() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        for state in JobState.allCases where !state.isTerminal {
            let job = try await journal.job(named: "fail-from-\(state)", in: state)
            let failed = try await journal.markFailed(job.id, code: "outcome_unknown", record: #"{"code":"outcome_unknown"}"#)
            #expect(failed.state == .failed)
            #expect(failed.errorCode == "outcome_unknown")
            #expect(failed.errorRecord == #"{"code":"outcome_unknown"}"#)
        }
    }

    @Test("Finished jobs cannot fail or move again")
    func terminalStatesAreFinal() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        for terminal in [JobState.done, .failed, .cancelled] {
            var job = try await journal.job(named: "final-\(terminal)", in: terminal)
            if terminal == .failed { job = try await journal.recordFailureDelivered(job.id, resultFolder: "/srv/outbox/failed/x") }
            if terminal == .cancelled { job = try await journal.recordCancellationDelivered(job.id, resultFolder: "/srv/outbox/cancelled/x") }
            for target in JobState.allCases {
                await #expect(throws: JournalError.illegalTransition(id: job.id, from: terminal, to: target)) {
                    try await journal.advance(job.id, to: target)
                }
            }
            #expect(try journal.job(job.id)?.state == terminal)
        }
    }

    @Test("A failed or cancelled job whose folder is not delivered yet may be taken over by another host; once delivered it may not")
    func undeliveredEndsMayBeTakenOver() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        for terminal in [JobState.failed, .cancelled] {
            let job = try await journal.job(named: "undelivered-\(terminal)", in: terminal)
            #expect(try await journal.markTakenOver(job.id).state == .takenOver)
            await #expect(throws: JournalError.illegalTransition(id: job.id, from: .takenOver, to: .takenOver)) {
                try await journal.markTakenOver(job.id)
            }
        }
    }

    /// Every (from, to) pair the journal must refuse, checked exhaustively against the allowed table.
    @Test("Illegal moves are refused with a typed error and change nothing")
    func illegalMovesAreRefused() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let allowed: [JobState: Set<JobState>] = [
            .claimed: [.submitting, .failed, .waitingForCredits, .waitingForBudget, .cancelled, .takenOver],
            .submitting: [.submitted, .failed, .waitingForCredits, .takenOver],
            .submitted: [.submitted, .spooled, .failed, .takenOver],
            .spooled: [.delivered, .failed, .takenOver],
            .delivered: [.done, .failed, .takenOver],
            .waitingForCredits: [.claimed, .failed, .cancelled, .takenOver],
            .waitingForBudget: [.claimed, .failed, .cancelled, .takenOver],
        ]
        var refused = 0
        for (from, targets) in allowed {
            for target in JobState.allCases where !targets.contains(target) {
                let job = try await journal.job(named: "illegal-\(from)-\(target)", in: from)
                await #expect(throws: JournalError.illegalTransition(id: job.id, from: from, to: target)) {
                    try await journal.advance(job.id, to: target)
                }
                #expect(try journal.job(job.id) == job)
                refused += 1
            }
        }
        #expect(refused == 7 * 11 - 28)
    }

    @Test("A poll is only recorded for a submitted job")
    func pollNeedsSubmitted() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let job = try await journal.job(named: "early-poll", in: .submitting)
        await #expect(throws: JournalError.illegalTransition(id: job.id, from: .submitting, to: .submitted)) {
            try await journal.recordPoll(job.id, nextPollAt: Date())
        }
    }

    @Test("Credits: a claimed job is held and released, and a 406 answer to the POST may hold a submitting job")
    func creditsHold() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let claimed = try await journal.job(named: "held", in: .claimed)
        #expect(try await journal.holdForCredits(claimed.id).state == .waitingForCredits)
        #expect(try journal.nextToSubmit(limit: 10).isEmpty)
        #expect(try await journal.releaseFromCredits(claimed.id).state == .claimed)
        #expect(try journal.nextToSubmit(limit: 10).map(\.id) == [claimed.id])

        let submitting = try await journal.job(named: "refused", in: .submitting)
        #expect(try await journal.holdForCredits(submitting.id).state == .waitingForCredits)
    }

    @Test("Unknown jobs, duplicate claims and non-JSON records are refused")
    func refusals() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        await #expect(throws: JournalError.jobNotFound(id: 42)) { try await journal.markSubmitting(42) }
        #expect(try journal.job(42) == nil)

        let job = try await journal.recordClaim(.sample("twice"))
        await #expect(throws: JournalError.duplicateClaim(claimedPath: job.claimedPath)) {
            try await journal.recordClaim(.sample("twice"))
        }
        #expect(try journal.exists(claimedPath: job.claimedPath))
        #expect(try !journal.exists(claimedPath: "/srv/inbox/.facedrop/other"))

        _ = try await journal.job(named: "json", in: .submitted)
        let submitted = try #require(journal.inFlight().first { $0.name == "json" })
        await #expect(throws: JournalError.invalidJSON(field: "outputs")) {
            try await journal.recordSpooled(submitted.id, spoolPath: "/spool", outputs: "not json")
        }
        await #expect(throws: JournalError.invalidJSON(field: "errorRecord")) {
            try await journal.markFailed(submitted.id, code: "failed", record: "{")
        }
        #expect(try journal.job(submitted.id)?.state == .submitted)
    }

    @Test("Errors read well")
    func descriptions() {
        #expect(
            JournalError.illegalTransition(id: 3, from: .done, to: .submitting).description
                == "job 3 cannot move from done to submitting"
        )
        #expect(JournalError.jobNotFound(id: 9).description == "job 9 is not in the journal")
        #expect(JournalError.duplicateClaim(claimedPath: "/a").description == "a job already claims /a")
    }
}

@Suite("What was sent")
struct JournalRequestTests {
    @Test("The request is journaled with the intent to submit, must be JSON, and survives the later steps")
    func requestWithSubmitting() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let job = try await journal.recordClaim(.sample("sent"))
        #expect(job.request == nil)
        await #expect(throws: JournalError.invalidJSON(field: "request")) {
            try await journal.markSubmitting(job.id, request: "{not json")
        }
        #expect(try journal.job(job.id)?.state == .claimed)

        let request = #"{"model":"pulid-base","parameters":{"prompt":"a portrait"}}"#
        #expect(try await journal.markSubmitting(job.id, request: request).request == request)
        // Held for credits and tried again: a later intent without a request keeps the one recorded.
        _ = try await journal.holdForCredits(job.id)
        _ = try await journal.releaseFromCredits(job.id)
        #expect(try await journal.markSubmitting(job.id).request == request)
        _ = try await journal.advance(job.id, to: .submitted)
        let spooled = try await journal.advance(job.id, to: .spooled)
        #expect(spooled.request == request)
        #expect(try fixture.reopen().job(job.id)?.request == request)
    }
}
