/// The layout of the state folder (`[state] dir`, systemd's `StateDirectory=`): the journal, the spool of
/// paid outputs waiting for delivery, the instance lock and the watcher's private wake-up folder.
package struct StateFolders: Sendable, Hashable {
    package let root: String

    package init(root: String) {
        self.root = root
    }

    /// Holds a job's downloaded outputs (`spool/<job id>/`) while the outbox refuses them: Segmind keeps results
    /// only an hour, so paid work must not depend on the outbox being writable.
    package var spool: String { "\(root)/spool" }
    /// Held with `flock` while a daemon runs, so two never share a journal.
    package var lock: String { "\(root)/lock" }
    /// The request budget's recent admissions (see `RequestWindowFile`), so a restart does not forget them.
    package var requestWindow: String { "\(root)/request-window" }
    /// A folder only the watcher uses, to wake its blocking read when the daemon stops.
    package var wake: String { "\(root)/wake" }

    package func spoolFolder(job id: Int64) -> String { "\(spool)/\(id)" }
}
