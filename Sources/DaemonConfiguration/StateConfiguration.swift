/// The `[state]` table: where the journal, the spool and the lock file live, and how long the journal remembers
/// finished jobs.
public struct StateConfiguration: Sendable, Hashable {
    /// The fallback when neither `dir` nor `$STATE_DIRECTORY` says otherwise.
    public static let defaultDirectory = "/var/lib/facedrop"
    /// How many days the journal keeps a finished job when `keep_journal_days` is not set: a quarter, enough for
    /// `facedrop retry` and `status` to reach a season's failures, while the journal's size follows the recent
    /// work rather than the service's whole history.
    public static let defaultJournalDays = 90

    /// An absolute path. `dir` in the file wins; without it, systemd's `$STATE_DIRECTORY`
    /// (`StateDirectory=`), then ``defaultDirectory``.
    public var directory: String
    /// `keep_journal_days`: how long after it finished a job is forgotten by the journal (its outbox folder is
    /// the outbox's retention's to keep). Spend is kept for whole months whatever this says, so budgets never
    /// lose a booking.
    public var keepJournalDays: Int

    public init(directory: String = StateConfiguration.defaultDirectory, keepJournalDays: Int = StateConfiguration.defaultJournalDays) {
        self.directory = directory
        self.keepJournalDays = keepJournalDays
    }
}
