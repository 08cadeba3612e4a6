import GRDB

extension JobJournal {
    /// How many unfinished jobs each state holds, by inbox and model (nil before a sidecar named one); finished jobs
    /// are left out, so the answer grows with the backlog, not with the journal's history.
    ///
    /// Read through the queue indexes (`state, inbox, …`), one row lookup per unfinished job for its model: a few
    /// milliseconds at a 10,000-job backlog, asked once per metrics export.
    package func unfinishedCounts() throws(JournalError) -> [UnfinishedCount] {
        let states = JobState.allCases.filter { !$0.isTerminal }
        return try read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT state, inbox, model, COUNT(*) AS n FROM job WHERE state IN (\(states.map { _ in "?" }.joined(separator: ", "))) "
                        + "GROUP BY state, inbox, model"
                ),
                arguments: StatementArguments(states.map(\.rawValue))
            ).compactMap { row in
                guard let state = JobState(rawValue: row["state"]) else { return nil }
                return UnfinishedCount(state: state, inbox: row["inbox"], model: row["model"], count: row["n"])
            }
        }
    }
}
