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
