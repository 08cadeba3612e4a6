import DaemonConfiguration
import DedicatedThreads
import Foundation
import Journal
import Logging
import Outbox
import Scheduling

/// Keeps each outbox within its inboxes' retention (`keep_done`, `keep_failed`, `keep_cancelled`, `keep_logs`):
/// prunes at start, then once a day, and at once after a reload.
///
/// The file work (walking `done/`, removing trees) and the journal read run on the daemon's file threads, never
/// on the threads that run tasks. The journal is asked after the outbox is listed, so a job that finishes in
/// between is judged by its final state, and a job the journal is not finished with keeps its folder. Between
/// passes it sleeps on one timer a day, and with no retention configured on none at all.
final class OutboxPruner: Sendable {
    /// The time between two passes.
    static let interval: Duration = .seconds(86_400)

    private let journal: JobJournal
    private let files: FileWorkPool
    private let doorbell: Doorbell
    private let wallClock: @Sendable () -> Date
    private let logger: Logger

    /// - Parameters:
    ///   - clock: What the wait between passes sleeps on.
    ///   - wallClock: The date ages are measured to.
    init(
        journal: JobJournal,
        files: FileWorkPool,
        clock: some Clock<Duration> = TimerClock(),
        wallClock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.journal = journal
        self.files = files
        self.doorbell = Doorbell(clock: clock)
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Each outbox of `configuration` with its retention. Inboxes sharing an outbox agree on it (the configuration
    /// is refused otherwise), so the first one's is the outbox's.
    static func retentions(of configuration: DaemonConfiguration) -> [String: OutboxRetention] {
        var retentions: [String: OutboxRetention] = [:]
        for inbox in configuration.inboxes where retentions[inbox.outbox] == nil {
            let settings = inbox.retention
            func limit(_ limit: RetentionLimit) -> OutboxRetention.Limit { OutboxRetention.Limit(days: limit.days, count: limit.count) }
            retentions[inbox.outbox] = OutboxRetention(
                done: limit(settings.done),
                failed: limit(settings.failed),
                cancelled: limit(settings.cancelled),
                logs: limit(settings.logs)
            )
        }
        return retentions
    }

    /// Prunes every outbox `outboxes` gives now, then after each ``interval`` and each ``configurationChanged()``,
    /// until the task is cancelled.
    func run(outboxes: @escaping @Sendable () -> [String: OutboxRetention]) async {
        while !Task.isCancelled {
            let current = outboxes().filter { !$0.value.keepsEverything }
            for (root, retention) in current.sorted(by: { $0.key < $1.key }) where !Task.isCancelled {
                await prune(OutboxFolders(root: root), retention: retention)
            }
            await doorbell.wait(until: current.isEmpty ? nil : doorbell.clock.now + Self.interval)
        }
    }

    /// A reload may have changed the retention: prune at once, and count the next day from now.
    func configurationChanged() {
        doorbell.ring()
    }

    /// One pass over one outbox, logged: a line per folder or file removed, and the outbox's JSONL log.
    @discardableResult
    func prune(_ outbox: OutboxFolders, retention: OutboxRetention) async -> OutboxRetention.Outcome {
        let now = wallClock()
        let (outcome, journalProblem) = await files.run { [journal] () -> (OutboxRetention.Outcome, String?) in
            var plan = retention.plan(outbox, now: now)
            guard !plan.isEmpty else { return (OutboxRetention.Outcome(), nil) }
            var unfinished = OutboxRetention.UnfinishedJobs()
            var problem: String?
            do {
                let jobs = try journal.unfinishedOutboxJobs()
                unfinished = OutboxRetention.UnfinishedJobs(claimIDs: jobs.claimIDs, folders: jobs.folders)
            } catch {
                // Without the journal no job folder can be known finished: only logs and warnings go this time.
                problem = "\(error)"
                plan.expired.removeAll { $0.kind.isJobFolder }
            }
            return (OutboxRetention.remove(plan, from: outbox, sparing: unfinished, now: now), problem)
        }
        if let journalProblem {
            logger.warning(
                "retention keeps every job folder this time: the journal cannot be read",
                metadata: ["outbox": "\(outbox.root)", "error": "\(journalProblem)"]
            )
        }
        for item in outcome.removed {
            logger.info(
                "pruned",
                metadata: [
                    "outbox": "\(outbox.root)", "path": "\(item.path)", "kind": "\(item.kind.rawValue)",
                    "reason": "\(item.reason == .age ? "older than its keep_ days" : "beyond its keep_ count")",
                    "finished": "\(item.finished.formatted(.iso8601))",
                ]
            )
        }
        for item in outcome.spared {
            logger.info(
                "kept past its retention: the journal is not finished with this job",
                metadata: ["outbox": "\(outbox.root)", "path": "\(item.path)"]
            )
        }
        for problem in outcome.problems {
            logger.warning("retention: \(problem)", metadata: ["outbox": "\(outbox.root)"])
        }
        if !outcome.removed.isEmpty || !outcome.removedEmptyFolders.isEmpty {
            logger.notice(
                "pruned the outbox",
                metadata: [
                    "outbox": "\(outbox.root)", "removed": "\(outcome.removed.count)",
                    "empty folders": "\(outcome.removedEmptyFolders.count)", "kept for unfinished jobs": "\(outcome.spared.count)",
                ]
            )
        }
        return outcome
    }
}
