import Foundation
import Logging
import Outbox
import SegmindCatalog
import StrictJSON
import Synchronization

/// Remembers which folders (and the journal file) refused the daemon's writes (a full disk, a read-only mount,
/// an immutable file, lost permissions), so each refusal is reported once, where people look, and its end too.
///
/// No job fails for such a refusal: a job whose outputs the spool cannot take, whose folder the outbox cannot
/// take, or whose step the journal cannot record waits where it is and is tried again with backoff. What the
/// user needs is to learn which folder or file to fix and why: the first refusal writes
/// `warnings/<time>-<kind>.json` (kind `spool-unwritable`, `outbox-unwritable` or `journal-unwritable`) with the
/// path and the system's error, and logs one error line; later refusals of the same path are quiet until a
/// write there succeeds again, which logs a notice.
final class UnwritableFolders: Sendable {
    private let failing = Mutex<[String: String]>([:])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// `folder` refused a write with `error`; `outbox` is where the warning file goes (it may be the folder
    /// that refused, then the warning may not be written either: the log line still is).
    func refused(_ folder: String, kind: String, error: String, job: String, outbox: OutboxFolders?) {
        let first = failing.withLock { failing in
            defer { failing[folder] = kind }
            return failing[folder] == nil
        }
        guard first else {
            logger.debug("still refused", metadata: ["folder": "\(folder)", "job": "\(job)", "error": "\(error)"])
            return
        }
        let message =
            "\(folder) refuses writes: \(error). The jobs that need it wait and are tried again with backoff (paid work is never dropped for it); fix it (free space, permissions, a read-only mount or file) and they continue by themselves."
        logger.error("a folder refuses writes; jobs wait for it", metadata: ["folder": "\(folder)", "kind": "\(kind)", "job": "\(job)", "error": "\(error)"])
        guard let outbox else { return }
        let warning: JSONValue = [
            "kind": .string(kind), "folder": .string(folder), "error": .string(error), "job": .string(job),
            "message": .string(message), "time": .string(Date().formatted(.iso8601)),
        ]
        do {
            try outbox.writeWarning(warning, kind: kind)
        } catch {
            logger.error("a warning could not be written", metadata: ["folder": "\(outbox.warnings)", "error": "\(error)"])
        }
    }

    /// A write into `folder` succeeded: if it had refused, say that it takes files again.
    func accepted(_ folder: String) {
        guard failing.withLock({ $0.isEmpty ? nil : $0.removeValue(forKey: folder) }) != nil else { return }
        logger.notice("a folder takes files again; waiting jobs continue", metadata: ["folder": "\(folder)"])
    }
}
