package import Foundation
import GRDB

extension JobJournal {
    /// The jobs whose outbox folder may exist while the journal is not finished with them, for the outbox's
    /// retention to spare: every job not in a terminal state (a `delivered` job not yet `done`, a job delivered
    /// just before a crash and not yet journaled as such) and failed or cancelled jobs whose folder is not
    /// journaled yet. One read of the state index and the unfinished rows: claim IDs (the last name of the claim
    /// folder, as `claim_id` in a record file) and the result folders journaled for them.
    package func unfinishedOutboxJobs() throws(JournalError) -> (claimIDs: Set<String>, folders: Set<String>) {
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT claimed_path, result_folder FROM job
                    WHERE state NOT IN (?, ?, ?, ?) OR (state IN (?, ?) AND result_folder IS NULL)
                    """,
                arguments: [
                    JobState.done.rawValue, JobState.failed.rawValue, JobState.cancelled.rawValue, JobState.takenOver.rawValue,
                    JobState.failed.rawValue, JobState.cancelled.rawValue,
                ]
            )
        }
        var claimIDs: Set<String> = []
        var folders: Set<String> = []
        for row in rows {
            let claimedPath: String = row["claimed_path"]
            claimIDs.insert(JobClaim.claimID(ofClaimFolder: claimedPath))
            if let folder: String = row["result_folder"] { folders.insert(folder) }
        }
        return (claimIDs, folders)
    }
}

extension JobJournal {
    /// How many finished jobs one transaction of ``forgetFinished(before:)`` forgets: the writer's other work waits
    /// no longer than that many row deletions, however long the journal has not been pruned.
    static let forgetBatch = 500

    /// Forgets what the journal keeps of jobs that finished before `cutoff`, so that its size follows the recent
    /// work, not the service's whole history. Returns how many jobs were forgotten.
    ///
    /// - Finished jobs (done, failed, cancelled, taken over) last changed before `cutoff` go, with their finished
    ///   hooks. A job with a hook still due stays until the hook has run. So does a job whose claim folder is
    ///   among those `presentClaims` finds (asked a batch of claim folders at a time: its removal failed, or a crash
    ///   cut it short): the start-up sweep removes the claim folders of finished jobs, but puts back the files of one
    ///   the journal does not know, which would run the job again.
    /// - Spend rows, their per-day sums and the budget crossings go only for months wholly before the month of
    ///   `cutoff`: the current month's budgets never lose a cent, and an unfinished job's reservation stays.
    /// - Expansions completed before `cutoff` go: a variations sidecar dropped again after its completion is a new
    ///   one either way.
    ///
    /// Deferred: a forgetting lost in a power cut is done again at the next pass.
    @discardableResult
    package func forgetFinished(
        before cutoff: Date,
        presentClaims: ([String]) async -> Set<String> = { _ in [] }
    ) async throws(JournalError) -> Int {
        let finished = JobState.allCases.filter(\.isTerminal).map(\.rawValue)
        let states = finished.map { _ in "?" }.joined(separator: ", ")
        let time = cutoff.timeIntervalSince1970
        // Found by a reader a batch at a time, in the order of their IDs: the reader does not hold up the writer
        // however many rows it passes, and a journal that was never pruned is not read into memory at once. Each batch
        // is then checked again as it goes, in case a hook became due meanwhile.
        var forgotten = 0
        var after: Int64 = 0
        while true {
            let rows = try read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT id, claimed_path FROM job WHERE id > ? AND state IN (\(states)) AND updated_at < ? ORDER BY id LIMIT \(Self.forgetBatch)",
                    arguments: [after] + StatementArguments(finished) + [time]
                )
            }
            guard let last = rows.last else { break }
            after = last["id"]
            let present = await presentClaims(rows.map { $0["claimed_path"] })
            let candidates: [Int64] = rows.filter { !present.contains($0["claimed_path"]) }.map { $0["id"] }
            if !candidates.isEmpty {
                forgotten += try await forget(candidates, states: finished, placeholders: states, before: time)
            }
            if rows.count < Self.forgetBatch { break }
        }
        let month = SpendPeriod(cutoff).month
        try await write(.deferred) { db in
            // Through the triggers, each deleted row takes its amount out of its day's sums, which end at zero.
            try db.execute(
                sql: """
                    DELETE FROM spend WHERE month < ?
                        AND job_id NOT IN (SELECT id FROM job WHERE state NOT IN (\(states)))
                    """,
                arguments: [month] + StatementArguments(finished)
            )
            try db.execute(sql: "DELETE FROM spend_day WHERE month < ? AND booked = 0 AND in_flight = 0", arguments: [month])
            // A period is a day (`2026-11-30`) or a month (`2026-11`); both sort before the cutoff's month (`2026-12`)
            // exactly when they lie wholly before it.
            try db.execute(sql: "DELETE FROM budget_crossing WHERE period < ?", arguments: [month])
            try db.execute(sql: "DELETE FROM expansion WHERE completed_at IS NOT NULL AND completed_at < ?", arguments: [time])
        }
        return forgotten
    }

    /// Deletes the jobs `ids` that are still finished (`finished`, whose `placeholders` the SQL lists) before `time`
    /// and have no hook due, with their hooks; returns how many went.
    private func forget(_ ids: [Int64], states finished: [String], placeholders states: String, before time: Double) async throws(JournalError) -> Int {
        let list = ids.map(String.init).joined(separator: ",")
        return try await write(.deferred) { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    DELETE FROM job WHERE id IN (\(list)) AND state IN (\(states)) AND updated_at < ?
                        AND NOT EXISTS (SELECT 1 FROM hook WHERE hook.job_id = job.id AND hook.finished_at IS NULL)
                    RETURNING id
                    """,
                arguments: StatementArguments(finished) + [time]
            )
            if !ids.isEmpty { try db.execute(sql: "DELETE FROM hook WHERE job_id IN (\(ids.map(String.init).joined(separator: ",")))") }
            return ids.count
        }
    }
}
