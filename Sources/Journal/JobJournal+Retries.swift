import Foundation
import GRDB

extension JobJournal {
    /// A retry about to put an ended job's files back into its inbox: the claim of those files (``recordClaim(_:)``)
    /// makes a job of attempt `retry.attempt` that keeps the earlier attempt's record. Synced before any file moves,
    /// so a crash in between cannot turn the retry into a plain new drop.
    ///
    /// - Returns: false when this attempt was retried already (a job carries its claim ID): a retry folder found
    ///   again after a crash, which must not queue the job twice.
    @discardableResult
    package func registerRetry(_ retry: PendingRetry) async throws(JournalError) -> Bool {
        try Self.requireJSON(retry.previousError, field: "previousError")
        let now = now().timeIntervalSince1970
        return try await write { db in
            // A pending retry of the same attempt is the same retry, resumed after a crash: registered again.
            let taken = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM job WHERE retried_from = ?)"),
                arguments: [retry.retriedFrom]
            )
            if taken ?? false { return false }
            try db.cachedStatement(
                sql: """
                    INSERT INTO pending_retry (inbox, subpath, name, attempt, previous_error, retried_from, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (inbox, subpath, name) DO UPDATE SET attempt = excluded.attempt,
                        previous_error = excluded.previous_error, retried_from = excluded.retried_from, created_at = excluded.created_at
                    """
            ).execute(
                arguments: [
                    retry.inbox, retry.subpath, retry.name, retry.attempt, retry.previousError, retry.retriedFrom, now,
                ]
            )
            return true
        }
    }

    /// Whether the attempt with claim ID `claimID` was retried already, or its retry is pending.
    package func wasRetried(claimID: String) throws(JournalError) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM job WHERE retried_from = ?) OR EXISTS (SELECT 1 FROM pending_retry WHERE retried_from = ?)",
                arguments: [claimID, claimID]
            ) ?? false
        }
    }

    /// Forgets a pending retry whose files could not be put back (the inbox refused them): the retry folder stays
    /// where it is, and a later attempt registers it again.
    package func forgetRetry(retriedFrom claimID: String) async throws(JournalError) {
        try await write(.deferred) { db in
            try db.cachedStatement(sql: "DELETE FROM pending_retry WHERE retried_from = ?").execute(arguments: [claimID])
        }
    }

    /// Ended jobs (failed or cancelled) whose folder is known, for `facedrop retry`: by error code, or all.
    package func endedJobs(code: String?) throws(JournalError) -> [JobRecord] {
        try read { db in
            if let code {
                return try JobRecord.fetchAll(
                    db,
                    where: "state IN (?, ?) AND error_code = ? AND result_folder IS NOT NULL ORDER BY id",
                    arguments: [JobState.failed.rawValue, JobState.cancelled.rawValue, code]
                )
            }
            return try JobRecord.fetchAll(
                db,
                where: "state IN (?, ?) AND result_folder IS NOT NULL ORDER BY id",
                arguments: [JobState.failed.rawValue, JobState.cancelled.rawValue]
            )
        }
    }
}
