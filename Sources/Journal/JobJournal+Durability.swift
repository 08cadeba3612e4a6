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
