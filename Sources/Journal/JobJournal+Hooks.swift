import Foundation
import GRDB

/// The hook table: what runs when a job ends, recorded with the job's end and finished once it ran.
extension JobJournal {
    /// Every hook due and not finished, oldest first, with its job's details.
    package func unfinishedHooks() throws(JournalError) -> [PendingHook] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT hook.id, hook.job_id, hook.kind, hook.event, hook.due_at, hook.attempts, job.name, job.inbox,
                           job.result_folder, job.request_id, job.model, job.error_code, spend.cost, spend.estimate
                    FROM hook JOIN job ON job.id = hook.job_id LEFT JOIN spend ON spend.job_id = hook.job_id
                    WHERE hook.finished_at IS NULL ORDER BY hook.id
                    """
            )
            return rows.compactMap { row -> PendingHook? in
                guard let kind = HookKind(rawValue: row["kind"]), let event = HookEvent(rawValue: row["event"]) else { return nil }
                let cost: Double? = row["cost"]
                let estimate: Double? = row["estimate"]
                return PendingHook(
                    id: row["id"],
                    jobID: row["job_id"],
                    kind: kind,
                    event: event,
                    dueAt: Date(timeIntervalSince1970: row["due_at"]),
                    attempts: row["attempts"],
                    job: row["name"],
                    inbox: row["inbox"],
                    folder: row["result_folder"] ?? "",
                    requestID: row["request_id"],
                    model: row["model"],
                    errorCode: row["error_code"],
                    cost: event == .done ? (cost ?? estimate) : cost
                )
            }
        }
    }

    /// How many hooks are due and not finished (`facedrop status`).
    package func unfinishedHookCount() throws(JournalError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM hook WHERE finished_at IS NULL") ?? 0 }
    }

    /// Counts one attempt of hook `id`, before it is made.
    ///
    /// Deferred: lost in a power loss, the count is one short, and the webhook makes one attempt more before it gives up.
    package func recordHookAttempt(_ id: Int64) async throws(JournalError) {
        try await write(.deferred) { db in
            try db.cachedStatement(sql: "UPDATE hook SET attempts = attempts + 1 WHERE id = ?").execute(arguments: [id])
        }
    }

    /// Records that hook `id` ran (or gave up) with `outcome` (`exit 0`, `timed out`, `HTTP 204`, `gave up: …`); it is
    /// not run again.
    package func finishHook(_ id: Int64, outcome: String) async throws(JournalError) {
        let now = now().timeIntervalSince1970
        try await write(.synced) { db in
            try db.cachedStatement(sql: "UPDATE hook SET finished_at = ?, outcome = ? WHERE id = ? AND finished_at IS NULL")
                .execute(arguments: [now, outcome, id])
        }
    }

    /// The recorded outcome of each of job `id`'s hooks (nil while unfinished), for tests and `status`.
    package func hookOutcomes(job id: Int64) throws(JournalError) -> [HookKind: String?] {
        try read { db in
            var outcomes: [HookKind: String?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, outcome FROM hook WHERE job_id = ?", arguments: [id]) {
                if let kind = HookKind(rawValue: row["kind"]) { outcomes[kind] = .some(row["outcome"]) }
            }
            return outcomes
        }
    }

    /// Inserts the hooks due for job `id`; one already recorded (a job finished again after a crash) is kept as it is.
    static func insertHooks(_ db: Database, job id: Int64, kinds: [HookKind], event: HookEvent, at date: Date) throws {
        for kind in kinds {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO hook (job_id, kind, event, due_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [id, kind.rawValue, event.rawValue, date.timeIntervalSince1970])
        }
    }
}
