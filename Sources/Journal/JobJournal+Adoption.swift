package import Foundation
import GRDB

extension JobJournal {
    /// How far an adopted claim's job got at the host that died, as its receipts tell.
    package enum AdoptedStep: Sendable, Equatable {
        /// No intent: the job was never sent, and is queued here as a fresh claim.
        case claimed
        /// An intent without a request ID: the POST may have been sent (and billed). The job is recorded as
        /// `submitting`, which the executor fails as an unknown outcome, never sending it again.
        case intent
        /// Segmind's request ID: the job is polled with it, never sent again. With Segmind's answer (`result`, the
        /// dead host had it), the outputs are fetched from it without polling.
        case submitted(requestID: String, statusURL: String?, responseURL: String?, submittedAt: Date?, deadline: Date?, result: String?)
        /// The job's folder was in the outbox: the job only needs finishing here.
        case delivered(requestID: String?, folder: String)
    }

    /// Records the job of a claim adopted from a dead host, in the state its receipts show, in one synced
    /// transaction: a crash can leave the claim adopted and unjournaled (the start-up sweep then puts a `claimed`
    /// job's files back, and leaves a later one's claim for the next takeover pass), never journaled at an earlier
    /// step than the receipts say, so a job the dead host may have sent is never sent again.
    @discardableResult
    ///
    /// - Parameter request: what the dead host was about to send (its intent's receipt), kept for the job's records.
    package func recordAdoption(_ claim: JobClaim, at step: AdoptedStep, request: String? = nil) async throws(JournalError) -> JobRecord {
        if let request { try Self.requireJSON(request, field: "request") }
        let now = now().timeIntervalSince1970
        return try await write(.synced) { db in
            let taken = try db.cachedStatement(sql: "SELECT 1 FROM job WHERE claimed_path = ?")
            if try Bool.fetchOne(taken, arguments: [claim.claimedPath]) ?? false {
                throw JournalError.duplicateClaim(claimedPath: claim.claimedPath)
            }
            var state = JobState.claimed
            var requestID: String?
            var statusURL: String?
            var responseURL: String?
            var submittedAt: Double?
            var deadline: Double?
            var nextPollAt: Double?
            var result: String?
            var resultFolder: String?
            switch step {
            case .claimed:
                break
            case .intent:
                state = .submitting
            case .delivered(let id, let folder):
                state = .delivered
                requestID = id
                resultFolder = folder
            case .submitted(let id, let status, let response, let submitted, let due, let answer):
                state = .submitted
                result = answer
                requestID = id
                statusURL = status
                responseURL = response
                submittedAt = (submitted ?? Date(timeIntervalSince1970: now)).timeIntervalSince1970
                deadline = due?.timeIntervalSince1970
                nextPollAt = now
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO job (inbox, subpath, name, claimed_path, face_path, sidecar_path, pose_path, model,
                                     priority, dropped_at, ready_at, state, updated_at, top_folder, request, request_id,
                                     status_url, response_url, submitted_at, deadline, next_poll_at, polls, result, result_folder)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
                    """
            ).execute(
                arguments: [
                    claim.inbox, claim.subpath, claim.name, claim.claimedPath, claim.facePath, claim.sidecarPath, claim.posePath,
                    claim.model, claim.priority, claim.droppedAt.timeIntervalSince1970, claim.readyAt.timeIntervalSince1970,
                    state.rawValue, now, claim.topFolder, request, requestID, statusURL, responseURL, submittedAt, deadline, nextPollAt,
                    result, resultFolder,
                ]
            )
            return try JobRecord.fetch(db, id: db.lastInsertedRowID)
        }
    }

    /// Ends a job whose claim another host adopted: this host does nothing more with it (see
    /// ``JobState/takenOver``). Whatever its estimate reserved of a budget stops counting. Synced. Also from
    /// `failed` or `cancelled` while their folder is not delivered: the adopter finishes the job its own way.
    @discardableResult
    package func markTakenOver(_ id: Int64) async throws(JournalError) -> JobRecord {
        if let current = try job(id), current.state == .failed || current.state == .cancelled, current.resultFolder != nil {
            throw .illegalTransition(id: id, from: current.state, to: .takenOver)
        }
        return try await move(
            id,
            to: .takenOver,
            from: Set(JobState.allCases).subtracting([.done, .takenOver]),
            set: "error_code = 'taken_over', next_poll_at = NULL",
            alsoRun: ["DELETE FROM spend WHERE job_id = ? AND cost IS NULL": [id]]
        )
    }
}
