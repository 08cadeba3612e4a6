extension JobJournal {
    /// The SQLite settings the journal's crash safety rests on, as the writer connection reports them.
    public struct DurabilitySettings: Sendable, Equatable {
        /// `wal` when healthy.
        public var journalMode: String
        /// SQLite's number for the level: `2` is FULL.
        public var synchronous: String

        public init(journalMode: String, synchronous: String) {
            self.journalMode = journalMode
            self.synchronous = synchronous
        }
    }

    /// Reads the settings back from the writer connection (where `synchronous` applies), for tests and `status`.
    public func durabilitySettings() throws(JournalError) -> DurabilitySettings {
        DurabilitySettings(
            journalMode: try writerPragma("journal_mode") ?? "",
            synchronous: try writerPragma("synchronous") ?? ""
        )
    }
}
