import DedicatedThreads
import FileSystem
import Foundation
import Journal
import Logging
import Synchronization

/// Keeps the journal to `[state] keep_journal_days` of finished jobs (``JobJournal/forgetFinished(before:)``).
///
/// The journal grows only when jobs end, so it is pruned when they do: a pass at start, then a pass when a job
/// finishes at least a day after the last one. No timer is set, so an idle daemon never wakes for it, and a
/// daemon that runs for months without a restart still forgets old jobs.
final class JournalPruner: Sendable {
    /// The least time between two passes.
    static let interval: TimeInterval = 86_400

    private let journal: JobJournal
    /// Where the claim folders of the jobs to forget are looked for: a stat each, which waits on a network share.
    private let files: FileWorkPool
    private let keepDays: Int
    private let wallClock: @Sendable () -> Date
    private let doorbell = Doorbell()
    /// When the last pass started; nil before the first.
    private let lastPass = Mutex<Date?>(nil)
    private let logger: Logger

    /// - Parameters:
    ///   - keepDays: `keep_journal_days` (a `[state]` key: a change needs a restart).
    ///   - wallClock: The date a job's age is counted to.
    init(
        journal: JobJournal,
        files: FileWorkPool,
        keepDays: Int,
        wallClock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.journal = journal
        self.files = files
        self.keepDays = keepDays
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Prunes now, then whenever ``jobFinished()`` finds a pass due, until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            await prune()
            await doorbell.wait(until: nil)
        }
    }

    /// A job has finished: rings for a pass when the last one is a day old. Cheap enough for every job.
    func jobFinished() {
        let now = wallClock()
        let due = lastPass.withLock { last in last.map { now.timeIntervalSince($0) >= Self.interval } ?? false }
        if due { doorbell.ring() }
    }

    /// One pass: forgets the finished jobs older than `keep_journal_days`; returns how many.
    @discardableResult
    func prune() async -> Int {
        let now = wallClock()
        lastPass.withLock { $0 = now }
        do {
            // A finished job whose claim folder is still there stays until the start-up sweep has removed it.
            let forgotten = try await journal.forgetFinished(before: now.addingTimeInterval(-Double(keepDays) * 86_400)) { [files] claims in
                await files.run { Set(claims.filter { Files.exists($0) }) }
            }
            if forgotten > 0 {
                logger.notice("the journal forgot old finished jobs", metadata: ["jobs": "\(forgotten)", "keep_journal_days": "\(keepDays)"])
            }
            return forgotten
        } catch {
            logger.warning("could not forget the journal's old finished jobs; tried again after a day", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
