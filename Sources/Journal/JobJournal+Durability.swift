import Synchronization

extension JobJournal {
    /// The SQLite settings the journal's crash safety rests on, as the writer connection reports them.
    package struct DurabilitySettings: Sendable, Equatable {
        /// `wal` when healthy.
        package var journalMode: String
        /// SQLite's number for the level: `2` is FULL.
        package var synchronous: String

        package init(journalMode: String, synchronous: String) {
            self.journalMode = journalMode
            self.synchronous = synchronous
        }
    }

    /// Reads the settings back from the writer connection (where `synchronous` applies), for tests and `status`.
    package func durabilitySettings() throws(JournalError) -> DurabilitySettings {
        DurabilitySettings(
            journalMode: try writerPragma("journal_mode") ?? "",
            synchronous: try writerPragma("synchronous") ?? ""
        )
    }
}

extension JobJournal {
    /// How many of the writer's transactions so far committed with a sync (`synchronous=FULL`) and without one
    /// (`NORMAL`, only deferred changes in them), as SQLite reported the level inside each transaction.
    package struct CommitCounts: Sendable, Equatable {
        package var synced: Int
        package var deferred: Int

        package init(synced: Int, deferred: Int) {
            self.synced = synced
            self.deferred = deferred
        }
    }

    /// The commits so far, by level; for tests that check which transitions pay for a sync.
    package var commitCounts: CommitCounts {
        CommitCounts(synced: writer.fullCommits.load(ordering: .relaxed), deferred: writer.normalCommits.load(ordering: .relaxed))
    }
}
