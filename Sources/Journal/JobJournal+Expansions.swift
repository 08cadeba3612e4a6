package import Foundation
import GRDB

extension JobJournal {
    /// Starts (or resumes, after a crash) the expansion of a variations sidecar of `inbox`/`subpath`/`stem` whose
    /// bytes hash to `sidecarSHA256`, before any of its jobs is written. Synced.
    ///
    /// - Returns: since when the expansion runs: a jobs' claim at or after that moment is one of its own, already
    ///   written (see ``claimedSince(inbox:subpath:name:since:)``). An expansion completed earlier starts anew: the
    ///   same drop dropped again asks for new jobs.
    package func beginExpansion(inbox: String, subpath: String, stem: String, sidecarSHA256: String) async throws(JournalError) -> Date {
        let now = now().timeIntervalSince1970
        let started = try await write { db in
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT created_at, completed_at FROM expansion WHERE inbox = ? AND subpath = ? AND stem = ? AND sidecar_sha256 = ?"
                ),
                arguments: [inbox, subpath, stem, sidecarSHA256]
            )
            if let row, (row["completed_at"] as Double?) == nil {
                return row["created_at"] as Double
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO expansion (inbox, subpath, stem, sidecar_sha256, created_at, completed_at) VALUES (?, ?, ?, ?, ?, NULL)
                    ON CONFLICT (inbox, subpath, stem, sidecar_sha256) DO UPDATE SET created_at = excluded.created_at, completed_at = NULL
                    """
            ).execute(arguments: [inbox, subpath, stem, sidecarSHA256, now])
            return now
        }
        return Date(timeIntervalSince1970: started)
    }

    /// Marks the expansion done: its jobs are written and its originals have left the inbox.
    package func completeExpansion(inbox: String, subpath: String, stem: String, sidecarSHA256: String) async throws(JournalError) {
        let now = now().timeIntervalSince1970
        try await write(.deferred) { db in
            try db.cachedStatement(
                sql: "UPDATE expansion SET completed_at = ? WHERE inbox = ? AND subpath = ? AND stem = ? AND sidecar_sha256 = ?"
            ).execute(arguments: [now, inbox, subpath, stem, sidecarSHA256])
        }
    }

    /// Whether a job `name` of `inbox`/`subpath` was claimed at or after `since`.
    package func claimedSince(inbox: String, subpath: String, name: String, since: Date) throws(JournalError) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM job WHERE inbox = ? AND subpath = ? AND name = ? AND ready_at >= ?)",
                arguments: [inbox, subpath, name, since.timeIntervalSince1970]
            ) ?? false
        }
    }
}
