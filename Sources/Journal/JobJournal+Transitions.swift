package import Foundation
import GRDB
import StrictJSON

extension JobJournal {
    /// Records a freshly claimed job in state ``JobState/claimed`` and returns it with its new ID.
    ///
    /// Fails with ``JournalError/duplicateClaim(claimedPath:)`` if a job already claims the same folder.
    ///
    /// Deferred: nothing leaves the machine before the job's next synced step (the intent to submit, a failure, a
    /// hold), which puts the claim on disk with it. A claim lost in a power loss before that is a claim folder the
    /// journal does not know, and the start-up sweep puts its files back into the inbox (its `claim.json` and the
    /// moves were synced before this call) to be claimed again.
    @discardableResult
    package func recordClaim(_ claim: JobClaim) async throws(JournalError) -> JobRecord {
        let now = now().timeIntervalSince1970
        return try await write(.deferred) { db in
            let taken = try db.cachedStatement(sql: "SELECT 1 FROM job WHERE claimed_path = ?")
            if try Bool.fetchOne(taken, arguments: [claim.claimedPath]) ?? false {
                throw JournalError.duplicateClaim(claimedPath: claim.claimedPath)
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO job (inbox, subpath, name, claimed_path, face_path, sidecar_path, pose_path, model,
                                     priority, dropped_at, ready_at, state, updated_at, top_folder)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    claim.inbox, claim.subpath, claim.name, claim.claimedPath, claim.facePath, claim.sidecarPath, claim.posePath,
                    claim.model, claim.priority, claim.droppedAt.timeIntervalSince1970, claim.readyAt.timeIntervalSince1970,
                    JobState.claimed.rawValue, now, claim.topFolder,
                ]
            )
            let id = db.lastInsertedRowID
            // Files a retry put back into the inbox: the new job carries the attempt it continues.
            try db.cachedStatement(
                sql: """
                    UPDATE job SET (attempt, previous_error, retried_from) = (
                        SELECT attempt, previous_error, retried_from FROM pending_retry WHERE inbox = ? AND subpath = ? AND name = ?)
                    WHERE id = ? AND EXISTS (SELECT 1 FROM pending_retry WHERE inbox = ? AND subpath = ? AND name = ?)
                    """
            ).execute(arguments: [claim.inbox, claim.subpath, claim.name, id, claim.inbox, claim.subpath, claim.name])
            if db.changesCount > 0 {
                try db.cachedStatement(sql: "DELETE FROM pending_retry WHERE inbox = ? AND subpath = ? AND name = ?")
                    .execute(arguments: [claim.inbox, claim.subpath, claim.name])
            }
            return try JobRecord.fetch(db, id: id)
        }
    }

    /// Records the intent to submit. Call it, and let it return, *before* the POST: after a crash a job found in
    /// ``JobState/submitting`` may have been charged and is never submitted again.
    ///
    /// - Parameter request: JSON text describing what is about to be sent, for the job's result or error record;
    ///   nil keeps what an earlier attempt recorded.
    @discardableResult
    package func markSubmitting(_ id: Int64, request: String? = nil) async throws(JournalError) -> JobRecord {
        try await write(.synced, submitting(id, request: request))
    }

    /// ``markSubmitting(_:request:)`` for the thread about to send the POST (libcurl's transfer thread), which
    /// waits for the commit blocked: the same change in the same group commits, without a task to queue it and
    /// wake that thread again. Never call it from a task.
    @discardableResult
    package func markSubmittingBlocking(_ id: Int64, request: String? = nil) throws(JournalError) -> JobRecord {
        try writer.writeBlocking(.synced, submitting(id, request: request))
    }

    /// The intent to submit, for either way of writing it: the request checked as JSON, kept when none is given.
    private func submitting(_ id: Int64, request: String?) throws(JournalError) -> @Sendable (Database) throws -> JobRecord {
        if let request { try Self.requireJSON(request, field: "request") }
        return transition(id, to: .submitting, from: [.claimed], set: "request = COALESCE(?, request)", arguments: [request])
    }

    /// Takes back the intent to submit after an attempt that provably cost nothing: the POST never left the
    /// machine, Segmind answered 429 or 5xx, or it was not sent at all (the daemon is stopping). The job is
    /// queued again and may be submitted later; what ``markSubmitting(_:request:)`` recorded is kept.
    ///
    /// Only for an attempt that is *known* not to have been billed: one whose answer was lost stays in
    /// ``JobState/submitting`` and fails as an unknown outcome.
    @discardableResult
    package func markNotSent(_ id: Int64) async throws(JournalError) -> JobRecord {
        try await move(id, to: .claimed, from: [.submitting])
    }

    /// Records Segmind's answer to the POST; call it the moment the answer arrives, before anything else.
    @discardableResult
    package func recordSubmitted(
        _ id: Int64,
        requestID: String,
        statusURL: String?,
        responseURL: String?,
        nextPollAt: Date? = nil,
        deadline: Date? = nil
    ) async throws(JournalError) -> JobRecord {
        try await move(
            id,
            to: .submitted,
            from: [.submitting],
            set: "request_id = ?, status_url = ?, response_url = ?, submitted_at = ?, polls = 0, "
                + "next_poll_at = ?, deadline = ?",
            arguments: [
                requestID, statusURL, responseURL, now().timeIntervalSince1970,
                nextPollAt?.timeIntervalSince1970, deadline?.timeIntervalSince1970,
            ]
        )
    }

    /// Counts one poll that found the job still running and records when to poll next.
    ///
    /// Deferred: lost in a power loss, the job is polled from the due time stored before, a little early, and
    /// `result.json` counts a poll or two fewer; the request ID it polls with was synced when the POST answered.
    @discardableResult
    package func recordPoll(_ id: Int64, nextPollAt: Date) async throws(JournalError) -> JobRecord {
        try await move(
            id,
            to: .submitted,
            from: [.submitted],
            set: "polls = polls + 1, next_poll_at = ?",
            arguments: [nextPollAt.timeIntervalSince1970],
            durability: .deferred
        )
    }

    /// Moves a waiting job's next poll without counting a poll: the planner learned something about its model's
    /// run time, and the stored due time is what a restart resumes from.
    ///
    /// Deferred, as ``recordPoll(_:nextPollAt:)``: a lost plan only moves one poll.
    @discardableResult
    package func reschedulePoll(_ id: Int64, nextPollAt: Date) async throws(JournalError) -> JobRecord {
        try await move(
            id,
            to: .submitted,
            from: [.submitted],
            set: "next_poll_at = ?",
            arguments: [nextPollAt.timeIntervalSince1970],
            durability: .deferred
        )
    }

    /// Records Segmind's answer for a finished request (JSON text: output URLs, metrics) before anything is
    /// downloaded, so a job whose outputs cannot be fetched or delivered yet (a crash, an outbox that refuses them)
    /// keeps what it paid for after Segmind forgets the request. The job stays ``JobState/submitted`` and is not polled again.
    @discardableResult
    package func recordResult(_ id: Int64, result: String) async throws(JournalError) -> JobRecord {
        try Self.requireJSON(result, field: "result")
        return try await move(id, to: .submitted, from: [.submitted], set: "result = ?, next_poll_at = NULL", arguments: [result])
    }

    /// Records that the outputs are fetched and checked, held for delivery (in memory, or in the spool folder
    /// `spoolPath` once the outbox refused them); `outputs` is JSON text describing them, with each one's `sha256`.
    ///
    /// - Parameter completedAt: when the generation finished, if Segmind said (submit time plus its reported
    ///   run time); it feeds ``averageRunTimes()``. Left out, the moment of this call is used, which also counts
    ///   the wait for the poll that noticed the result.
    /// - Parameter booking: the job's inbox and what Segmind said it cost, booked in the same transaction as
    ///   ``bookSpend(_:inbox:cost:at:)`` would: one journal write per job less than booking on its own.
    /// - Parameter estimate: the model's run time estimate learned from this job, stored over the one before for
    ///   its model and size bucket in the same transaction, rather than in a journal write of its own.
    @discardableResult
    package func recordSpooled(
        _ id: Int64,
        spoolPath: String,
        outputs: String,
        completedAt: Date? = nil,
        booking: (inbox: String, cost: Double?)? = nil,
        estimate: RunTimeEstimate? = nil
    ) async throws(JournalError) -> JobRecord {
        try Self.requireJSON(outputs, field: "outputs")
        let now = now()
        var also: (@Sendable (Database) throws -> Void)?
        if booking != nil || estimate != nil {
            also = { db in
                if let booking { try Self.book(db, id, inbox: booking.inbox, cost: booking.cost, at: now) }
                if let estimate { try Self.store(estimate, in: db, at: now.timeIntervalSince1970) }
            }
        }
        return try await move(
            id,
            to: .spooled,
            from: [.submitted],
            set: "spool_path = ?, outputs = ?, completed_at = ?, next_poll_at = NULL",
            arguments: [spoolPath, outputs, (completedAt ?? now).timeIntervalSince1970],
            also: also
        )
    }

    /// Records that the result folder is in the outbox.
    @discardableResult
    package func markDelivered(_ id: Int64, resultFolder: String) async throws(JournalError) -> JobRecord {
        try await move(id, to: .delivered, from: [.spooled], set: "result_folder = ?", arguments: [resultFolder])
    }

    /// Records that the job is completely finished, and the `hooks` its inbox runs for a finished job as due, in the
    /// same transaction: a job is never done without its hooks on record.
    ///
    /// Deferred: the delivery it follows was synced (``markDelivered(_:resultFolder:)``), so a job whose end is lost
    /// in a power loss is found `delivered` and only finished again: its claim and spool folders are removed (what is
    /// gone already is no error) and nothing is written to the outbox.
    @discardableResult
    package func markDone(_ id: Int64, hooks: [HookKind] = []) async throws(JournalError) -> JobRecord {
        let now = now()
        return try await move(id, to: .done, from: [.delivered], durability: .deferred) { db in
            try Self.insertHooks(db, job: id, kinds: hooks, event: .done, at: now)
        }
    }

    /// Fails the job from any unfinished state; `record` is the JSON text of its error record.
    @discardableResult
    package func markFailed(_ id: Int64, code: String, record: String) async throws(JournalError) -> JobRecord {
        try Self.requireJSON(record, field: "errorRecord")
        return try await move(
            id,
            to: .failed,
            from: Set(JobState.allCases.filter { !$0.isTerminal }),
            set: "error_code = ?, error_record = ?, next_poll_at = NULL",
            arguments: [code, record]
        )
    }

    /// Records where a failed job's folder landed in `failed/`, and the `hooks` its inbox runs for a failed job as
    /// due, in one transaction; until then start-up delivers it again.
    @discardableResult
    package func recordFailureDelivered(_ id: Int64, resultFolder: String, hooks: [HookKind] = []) async throws(JournalError) -> JobRecord {
        let now = now()
        return try await move(id, to: .failed, from: [.failed], set: "result_folder = ?", arguments: [resultFolder]) { db in
            try Self.insertHooks(db, job: id, kinds: hooks, event: .failed, at: now)
        }
    }

    /// Holds a job back while credits are exhausted. Allowed from ``JobState/submitting`` too, because a 406
    /// "not enough credits" answer proves the POST was refused and nothing was charged.
    @discardableResult
    package func holdForCredits(_ id: Int64) async throws(JournalError) -> JobRecord {
        try await move(id, to: .waitingForCredits, from: [.claimed, .submitting])
    }

    /// Puts a held job back in the queue once credits are back.
    @discardableResult
    package func releaseFromCredits(_ id: Int64) async throws(JournalError) -> JobRecord {
        try await move(id, to: .claimed, from: [.waitingForCredits])
    }

    // MARK: - Implementation

    /// Checks the current state and applies the change in one write transaction, so the check cannot go stale;
    /// `alsoRun` are statements that belong to the same change (run after it, in the same transaction).
    func move(
        _ id: Int64,
        to target: JobState,
        from allowed: Set<JobState>,
        set assignments: String? = nil,
        arguments: StatementArguments = StatementArguments(),
        durability: GroupCommitWriter.Durability = .synced,
        alsoRun extraStatements: KeyValuePairs<String, StatementArguments> = [:],
        also: (@Sendable (Database) throws -> Void)? = nil
    ) async throws(JournalError) -> JobRecord {
        try await write(
            durability,
            transition(id, to: target, from: allowed, set: assignments, arguments: arguments, alsoRun: extraStatements, also: also)
        )
    }

    /// The change ``move(_:to:from:set:arguments:durability:alsoRun:also:)`` commits, for either kind of write.
    func transition(
        _ id: Int64,
        to target: JobState,
        from allowed: Set<JobState>,
        set assignments: String? = nil,
        arguments: StatementArguments = StatementArguments(),
        alsoRun extraStatements: KeyValuePairs<String, StatementArguments> = [:],
        also: (@Sendable (Database) throws -> Void)? = nil
    ) -> @Sendable (Database) throws -> JobRecord {
        let now = now().timeIntervalSince1970
        return { db in
            // The state alone for the check, and the changed row straight from the UPDATE: one row decoded per move.
            guard let stored = try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM job WHERE id = ?"), arguments: [id]) else {
                throw JournalError.jobNotFound(id: id)
            }
            guard let current = JobState(rawValue: stored) else {
                throw JournalError.corruptRow(id: id, reason: "unknown state \(stored)")
            }
            guard allowed.contains(current) else {
                throw JournalError.illegalTransition(id: id, from: current, to: target)
            }
            let extra = assignments.map { ", " + $0 } ?? ""
            let update = try db.cachedStatement(sql: "UPDATE job SET state = ?, updated_at = ?\(extra) WHERE id = ? RETURNING \(JobColumn.selection)")
            guard let record = try JobRecord.fetchAll(update, arguments: [target.rawValue, now] + arguments + [id]).first else {
                throw JournalError.jobNotFound(id: id)
            }
            for (sql, statementArguments) in extraStatements {
                try db.execute(sql: sql, arguments: statementArguments)
            }
            try also?(db)
            return record
        }
    }

    static func requireJSON(_ text: String, field: String) throws(JournalError) {
        guard (try? JSONParser().parse(Array(text.utf8))) != nil else {
            throw .invalidJSON(field: field)
        }
    }
}
