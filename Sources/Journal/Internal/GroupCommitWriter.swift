import DedicatedThreads
import Foundation
import GRDB
import Synchronization

/// Runs the journal's write transactions on a thread of its own and commits every change that arrived while the
/// previous commit was syncing in one transaction: one fsync of the write-ahead log for many jobs' transitions.
///
/// With `synchronous=FULL` each commit waits for the disk, and SQLite has one writer; committed one by one, every
/// transition of every job in flight queues behind every other's fsync, so the disk's sync latency, not the CPU,
/// sets how many jobs a second the daemon finishes. Grouped, a caller still returns only once its own change is on
/// disk (the promise the journal makes), but a busy daemon pays one sync for a whole batch. Each change runs in a
/// savepoint of its own, so one refused transition (an illegal move, a duplicate claim) rolls back alone and its
/// caller alone gets the error. The thread blocks in `fsync`, never a thread of Swift's cooperative pool.
///
/// Not every change needs a sync of its own (see ``Durability``): a transaction that carries only deferred changes
/// commits with `synchronous=NORMAL`, which writes the log without waiting for the disk. The log is one file
/// written in order, so the next synced commit (or checkpoint) puts the deferred changes on disk with its own:
/// a power loss can only take back a tail of the commits, never a deferred change while keeping a later synced one.
/// A crash of the process loses nothing either way: a committed change is in the operating system's cache.
final class GroupCommitWriter: Sendable {
    /// How soon a change must be on disk once its caller goes on.
    enum Durability: Sendable {
        /// On disk before the caller returns: its transaction commits with `synchronous=FULL`.
        case synced
        /// Harmless to lose in a power loss together with the changes after it (a restart redoes the step, or
        /// only something relearned is lost): it goes to disk with the next synced commit or checkpoint.
        case deferred
    }

    /// One caller's change, and how to answer the caller once its fate is known.
    struct Change: Sendable {
        let durability: Durability
        /// Applies the change in its own savepoint, keeping its outcome for ``answer``.
        let apply: @Sendable (Database) -> Void
        /// Resumes the caller: with the change's own outcome when `commitError` is nil, otherwise with it.
        let answer: @Sendable (_ commitError: JournalError?) -> Void
    }

    private struct Queue {
        var changes: [Change] = []
        var closed = false
    }

    /// The most changes one transaction carries, so a huge backlog still commits (and answers) in steps.
    static let batchLimit = 512

    private let pool: DatabasePool
    private let queue = Mutex(Queue())
    /// Signalled when the queue goes from empty to non-empty, and once on close.
    private let work = DispatchSemaphore(value: 0)
    /// The writer thread, set at the end of `init` (its body needs `self`); ``close()`` waits for it.
    private let thread = Mutex<DedicatedThread?>(nil)
    /// Transactions committed so far (tests check that concurrent changes share one).
    let commits = Atomic<Int>(0)
    /// Of ``commits``, those whose transaction ran at `synchronous=FULL` and at `NORMAL`, as SQLite reported the
    /// level inside the transaction (where it cannot change), so tests see what each kind of change really cost.
    let fullCommits = Atomic<Int>(0)
    let normalCommits = Atomic<Int>(0)

    init(pool: DatabasePool) {
        self.pool = pool
        let started = DedicatedThread.start(name: "facedrop-journal") { [self] in self.run() }
        thread.withLock { $0 = started }
    }

    /// Queues a change and waits until it is committed (or refused); the caller's task suspends, it does not block.
    func write<T: Sendable>(
        _ durability: Durability = .synced,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(JournalError) -> T {
        let result: Result<T, JournalError> = await withCheckedContinuation { continuation in
            enqueue(Self.change(durability, body) { continuation.resume(returning: $0) })
        }
        return try result.get()
    }

    /// ``write(_:_:)`` for a thread of facedrop's own that may block (libcurl's transfer thread): it waits on a
    /// semaphore for the commit, so no task has to be scheduled to queue the change and wake the thread again.
    /// Never call it from a task: it blocks the thread it runs on.
    func writeBlocking<T: Sendable>(
        _ durability: Durability = .synced,
        _ body: @escaping @Sendable (Database) throws -> T
    ) throws(JournalError) -> T {
        let answered = DispatchSemaphore(value: 0)
        let result = Outcome<T>()
        enqueue(
            Self.change(durability, body) { outcome in
                result.set(outcome)
                answered.signal()
            }
        )
        answered.wait()
        return try (result.get() ?? .failure(.database(reason: "the change was not answered"))).get()
    }

    /// A change that applies `body` in a savepoint of its own and hands its outcome (or the commit's error) to
    /// `answer` once the transaction is committed.
    private static func change<T: Sendable>(
        _ durability: Durability,
        _ body: @escaping @Sendable (Database) throws -> T,
        answer: @escaping @Sendable (Result<T, JournalError>) -> Void
    ) -> Change {
        let outcome = Outcome<T>()
        return Change(
            durability: durability,
            apply: { db in
                do {
                    outcome.set(.success(try Self.inSavepoint(db) { try body(db) }))
                } catch {
                    outcome.set(.failure(JournalError(error)))
                }
            },
            answer: { commitError in
                if let commitError {
                    answer(.failure(commitError))
                } else {
                    answer(outcome.get() ?? .failure(.database(reason: "the change was not applied")))
                }
            }
        )
    }

    /// Answers what is queued, stops the thread and waits for it; later writes fail at once.
    func close() {
        let wasOpen = queue.withLock { queue in
            defer { queue.closed = true }
            return !queue.closed
        }
        guard wasOpen else { return }
        work.signal()
        thread.withLock { $0 }?.join()
    }

    /// Changes waiting for the next transaction.
    var queued: Int {
        queue.withLock { $0.changes.count }
    }

    // MARK: Implementation

    /// Runs `body` in an immediate transaction, committed when it returns and rolled back when it (or the commit)
    /// throws: GRDB's `inTransaction` with its `BEGIN` and `COMMIT` taken from the statement cache (see
    /// ``inSavepoint(_:_:)``).
    private static func inTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            let value = try body()
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return value
        } catch {
            try? db.rollback()
            throw error
        }
    }

    /// Runs `body` in a savepoint of the open transaction: kept when it returns, rolled back when it throws.
    ///
    /// GRDB's `inSavepoint` does the same, but compiles its `SAVEPOINT` and `RELEASE` statements afresh at every
    /// call (about 0.2 M instructions a job); these come from the connection's statement cache. A change whose
    /// savepoint cannot be undone alone undoes the whole transaction, so its commit fails for every caller rather
    /// than keep half a change; and once the transaction is gone (SQLite ends it on some errors), the changes after
    /// it fail rather than each commit on its own outside the group's sync.
    private static func inSavepoint<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        guard db.isInsideTransaction else {
            throw DatabaseError(resultCode: .SQLITE_ABORT, message: "the group commit's transaction was rolled back")
        }
        try db.cachedStatement(sql: "SAVEPOINT change").execute()
        do {
            let value = try body()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT change").execute()
            return value
        } catch {
            do {
                try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT change").execute()
                try db.cachedStatement(sql: "RELEASE SAVEPOINT change").execute()
            } catch {
                try? db.rollback()
            }
            throw error
        }
    }

    private func enqueue(_ change: Change) {
        let state: (wake: Bool, closed: Bool) = queue.withLock { queue in
            guard !queue.closed else { return (false, true) }
            queue.changes.append(change)
            return (queue.changes.count == 1, false)
        }
        if state.closed {
            change.answer(.database(reason: "the journal is closed"))
        } else if state.wake {
            work.signal()
        }
    }

    private func run() {
        while true {
            work.wait()
            while true {
                let (batch, closed): ([Change], Bool) = queue.withLock { queue in
                    let count = min(queue.changes.count, Self.batchLimit)
                    let batch = Array(queue.changes.prefix(count))
                    queue.changes.removeFirst(count)
                    return (batch, queue.closed)
                }
                if batch.isEmpty {
                    if closed { return }
                    break
                }
                commit(batch)
            }
        }
    }

    private func commit(_ batch: [Change]) {
        let synced = batch.contains { $0.durability == .synced }
        do {
            let level = try pool.writeWithoutTransaction { db in
                // The level can only change between transactions. A synced batch sets FULL itself rather than trust
                // that the last deferred batch restored it; a deferred batch puts FULL back for readers (`status`).
                // Cached statements: prepared once, not at every commit (three prepares were 0.5 M instructions a job).
                try db.cachedStatement(sql: synced ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL").execute()
                defer { if !synced { try? db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute() } }
                return try Self.inTransaction(db) {
                    let level = try Int.fetchOne(db.cachedStatement(sql: "PRAGMA synchronous"))
                    for change in batch { change.apply(db) }
                    return level
                }
            }
            commits.add(1, ordering: .relaxed)
            if level == 2 { fullCommits.add(1, ordering: .relaxed) } else { normalCommits.add(1, ordering: .relaxed) }
            for change in batch { change.answer(nil) }
        } catch {
            let failure = JournalError(error)
            for change in batch { change.answer(failure) }
        }
    }
}

/// What one change came to, kept between applying it (inside the transaction) and answering its caller (after
/// the commit).
private final class Outcome<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, JournalError>?>(nil)

    func set(_ value: Result<T, JournalError>?) {
        result.withLock { $0 = value }
    }

    func get() -> Result<T, JournalError>? {
        result.withLock { $0 }
    }
}
