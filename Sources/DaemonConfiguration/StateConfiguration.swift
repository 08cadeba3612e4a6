/// The `[state]` table: where the journal, the spool and the lock file live.
public struct StateConfiguration: Sendable, Hashable {
    /// The fallback when neither `dir` nor `$STATE_DIRECTORY` says otherwise.
    public static let defaultDirectory = "/var/lib/facedrop"

    /// An absolute path. `dir` in the file wins; without it, systemd's `$STATE_DIRECTORY`
    /// (`StateDirectory=`), then ``defaultDirectory``.
    public var directory: String

    public init(directory: String = StateConfiguration.defaultDirectory) {
        self.directory = directory
    }
}
