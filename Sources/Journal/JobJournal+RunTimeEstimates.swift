import Foundation
import GRDB

extension JobJournal {
    /// Every stored run time estimate, by model and size bucket.
    package func runTimeEstimates() throws(JournalError) -> [StoredRunTimeEstimate] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run_time_estimate ORDER BY model, size_bucket").map { row in
                StoredRunTimeEstimate(
                    model: row["model"],
                    sizeBucket: row["size_bucket"],
                    seconds: row["seconds"],
                    samples: row["samples"],
                    updatedAt: Date(timeIntervalSince1970: row["updated_at"])
                )
            }
        }
    }

    /// Stores one model's estimate for one size bucket, replacing the one before.
    ///
    /// Deferred: an estimate lost in a power loss is only learned again from the next jobs of the model.
    package func saveRunTimeEstimate(model: String, sizeBucket: Int, seconds: Double, samples: Int) async throws(JournalError) {
        let now = now().timeIntervalSince1970
        try await write(.deferred) { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO run_time_estimate (model, size_bucket, seconds, samples, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (model, size_bucket) DO UPDATE SET seconds = excluded.seconds, samples = excluded.samples,
                        updated_at = excluded.updated_at
                    """
            ).execute(arguments: [model, sizeBucket, seconds, samples, now])
        }
    }
}
