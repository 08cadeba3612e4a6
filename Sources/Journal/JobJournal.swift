import FileSystem
package import Foundation
import GRDB

/// The crash-safe record of every job facedrop has claimed, in `<stateDirectory>/journal.sqlite`.
///
/// The journal is what makes "no job is paid for twice" hold across crashes: the intent to submit is committed and
/// synced before the POST, and the request ID the moment the POST answers. SQLite runs in WAL mode (readers never wait
/// for the writer) with `synchronous=FULL`, so a committed transition survives a power loss, not only a crash.
///
/// Every transition checks the job's current state inside the same write transaction that changes it, so two callers
/// racing on one job cannot both win. Reads are synchronous and short. Transitions are `async`: they run on the
/// journal's own writer thread, which commits every transition queued while the last commit was syncing in one
/// transaction, and each returns once its own change is on disk. The few whose loss in a power loss is harmless
/// (a poll's count and next time, a run time estimate, a spend booking or reservation that a synced step of the same
/// job follows, the end of a job already delivered, a claim the start-up sweep would put back) are `deferred`: they
/// skip the sync and reach the disk with the next synced commit (docs/crash-safety.md lists which and why).
package final class JobJournal: Sendable {
    /// The file name inside the state directory.
    package static let fileName = "journal.sqlite"

    /// The journal file's path.
    package let path: String

    let pool: DatabasePool
    let writer: GroupCommitWriter
    let now: @Sendable () -> Date

    /// Opens (creating if needed) the journal in `stateDirectory` and brings its schema up to date.
    ///
    /// - Parameter now: the clock used for `updatedAt` and the transition timestamps; injectable for tests.
    package init(stateDirectory: String, now: @escaping @Sendable () -> Date = { Date() }) throws(JournalError) {
        let path = (stateDirectory as NSString).appendingPathComponent(Self.fileName)
        self.path = path
        self.now = now
        do {
            try Files.makeFolders(stateDirectory)
            var configuration = Configuration()
            configuration.label = "facedrop.journal"
            // A second process (`facedrop status`) may hold a read lock for a moment; wait rather than fail.
            configuration.busyMode = .timeout(10)
            let pool = try DatabasePool(path: path, configuration: configuration)
            // DatabasePool switches its writer to `synchronous=NORMAL` after enabling WAL, which "might roll back
            // following a power loss". The writer connection lives as long as the pool, so setting FULL once holds.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try Schema.migrator.migrate(pool)
            self.pool = pool
            self.writer = GroupCommitWriter(pool: pool)
        } catch {
            throw .cannotOpen(path: path, reason: JournalError.reason(for: error))
        }
    }

    deinit {
        writer.close()
    }

    /// Waits for the transitions already queued, then closes the database; any later call fails with
    /// ``JournalError/database(reason:)``.
    package func close() throws(JournalError) {
        writer.close()
        do {
            try pool.close()
        } catch {
            throw JournalError(error)
        }
    }

    // MARK: - Database access with typed errors

    func read<T>(_ body: (Database) throws -> T) throws(JournalError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw JournalError(error)
        }
    }

    /// Runs `body` in the writer's next group commit and returns once it is committed: on disk for a `.synced`
    /// change, in the log for the next synced commit to put on disk for a `.deferred` one.
    func write<T: Sendable>(
        _ durability: GroupCommitWriter.Durability = .synced,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(JournalError) -> T {
        try await writer.write(durability, body)
    }

    /// Reads a pragma on the writer connection, where `synchronous` matters.
    func writerPragma(_ name: String) throws(JournalError) -> String? {
        do {
            return try pool.writeWithoutTransaction { db in
                try String.fetchOne(db, sql: "PRAGMA \(name)")
            }
        } catch {
            throw JournalError(error)
        }
    }
}
