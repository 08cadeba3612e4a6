import Foundation
import GRDB

extension JobJournal {
    /// Every stored run time estimate, by model and size bucket.
    package func runTimeEstimates() throws(JournalError) -> [StoredRunTimeEstimate] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run_time_estimate ORDER BY model, size_bucket").map { row in
                StoredRunTimeEstimate(
                    RunTimeEstimate(model: row["model"], sizeBucket: row["size_bucket"], seconds: row["seconds"], samples: row["samples"]),
                    updatedAt: Date(timeIntervalSince1970: row["updated_at"])
                )
            }
        }
    }

    /// Writes `estimate` over the model's estimate for its size bucket, inside the caller's transaction (the one that
    /// records the job it was learned from, ``recordSpooled(_:spoolPath:outputs:completedAt:booking:estimate:)``).
    static func store(_ estimate: RunTimeEstimate, in db: Database, at now: TimeInterval) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO run_time_estimate (model, size_bucket, seconds, samples, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (model, size_bucket) DO UPDATE SET seconds = excluded.seconds, samples = excluded.samples,
                    updated_at = excluded.updated_at
                """
        ).execute(arguments: [estimate.model, estimate.sizeBucket, estimate.seconds, estimate.samples, now])
    }
}
