import GRDB

extension JobJournal {
    /// Takes back a job whose POST has not been sent (``JobState/unsent``): it becomes ``JobState/cancelled``, and
    /// whatever its estimate reserved of a budget stops counting, in the same transaction.
    ///
    /// This is the one write that decides between a cancel and a submit: ``markSubmitting(_:request:)`` moves only
    /// from `claimed`, so whichever of the two commits first wins, and a job cancelled here is never sent. Synced.
    ///
    /// - Parameter record: JSON text of the job's `cancelled.json`, kept until its folder is delivered.
    /// - Throws: ``JournalError/illegalTransition(id:from:to:)`` when the job is already submitted or finished.
    @discardableResult
    package func markCancelled(_ id: Int64, record: String) async throws(JournalError) -> JobRecord {
        try Self.requireJSON(record, field: "cancelRecord")
        return try await move(
            id,
            to: .cancelled,
            from: JobState.unsent,
            set: "error_code = 'cancelled', error_record = ?, next_poll_at = NULL",
            arguments: [record],
            alsoRun: ["DELETE FROM spend WHERE job_id = ? AND cost IS NULL": [id]]
        )
    }

    /// Records where a cancelled job's files landed in `cancelled/`; until then the daemon delivers them again.
    @discardableResult
    package func recordCancellationDelivered(_ id: Int64, resultFolder: String) async throws(JournalError) -> JobRecord {
        try await move(id, to: .cancelled, from: [.cancelled], set: "result_folder = ?", arguments: [resultFolder], durability: .deferred)
    }

    /// Cancelled jobs whose files are not known to be in `cancelled/` yet.
    package func undeliveredCancellations() throws(JournalError) -> [JobRecord] {
        try read { db in
            try JobRecord.fetchAll(
                db,
                where: "state = ? AND result_folder IS NULL ORDER BY id",
                arguments: [JobState.cancelled.rawValue]
            )
        }
    }

    /// The jobs a command names: by ID (`42` or `#42`), by name (the drop's stem), or by `subpath/name` as their
    /// outbox folders are named; newest first, since a name may have been dropped more than once.
    package func jobs(named reference: String) throws(JournalError) -> [JobRecord] {
        let trimmed = reference.hasPrefix("#") ? String(reference.dropFirst()) : reference
        return try read { db in
            if let id = Int64(trimmed), let record = try JobRecord.fetchAll(db, where: "id = ?", arguments: [id]).first {
                return [record]
            }
            let slash = reference.lastIndex(of: "/")
            let name = slash.map { String(reference[reference.index(after: $0)...]) } ?? reference
            let subpath = slash.map { String(reference[..<$0]) }
            if let subpath {
                return try JobRecord.fetchAll(
                    db,
                    where: "name = ? AND subpath = ? ORDER BY id DESC",
                    arguments: [name, subpath]
                )
            }
            return try JobRecord.fetchAll(db, where: "name = ? ORDER BY id DESC", arguments: [name])
        }
    }

    /// Jobs not yet sent (``JobState/unsent``), of one inbox or of all; oldest first.
    package func unsentJobs(inbox: String?) throws(JournalError) -> [JobRecord] {
        let states = JobState.unsent.map(\.rawValue).sorted()
        return try read { db in
            if let inbox {
                return try JobRecord.fetchAll(
                    db,
                    where: "state IN (?, ?, ?) AND inbox = ? ORDER BY id",
                    arguments: StatementArguments(states + [inbox])
                )
            }
            return try JobRecord.fetchAll(db, where: "state IN (?, ?, ?) ORDER BY id", arguments: StatementArguments(states))
        }
    }
}
