package import CurlHTTP
package import DaemonConfiguration
import DedicatedThreads
import FileSystem
import Foundation
import HotFolder
import InboxWatcher
import JobHooks
import Journal
package import Logging
import Outbox
import Scheduling
package import SegmindAPI
package import SegmindCatalog
import Synchronization
package import SystemdService

/// `facedrop run`: watches the configured inboxes and turns every dropped job into a finished folder in its
/// outbox, on a crash-safe journal.
///
/// Start-up order matters: the inotify watcher is set up first (libinotifytools puts its descriptor in an
/// `fd_set`, so it must stay below 1024), then the instance lock and the journal; the journal is recovered
/// before any new job is taken, and every inbox is scanned once its watches are in place.
///
/// It stops on task cancellation; in `facedrop run` it is one service of a `ServiceGroup` (``DaemonService``),
/// whose graceful shutdown cancels it:
///
/// ```swift
/// let http = try HTTPClient()
/// let daemon = try await Daemon(configuration: configuration, segmind: segmind, http: http, catalog: try ModelCatalog.bundled())
/// try await ServiceGroup(services: [DaemonService(daemon: daemon)], logger: logger).run()
/// http.shutdown()   // only once the daemon has ended: a POST it waited for used the client to the last
/// ```
package final class Daemon: Sendable {
    /// How often at most `credits.json` is rewritten for a new balance alone (a new state is written at once).
    static let creditsFileInterval: Duration = .seconds(1)
    /// Threads for file steps that wait on the disk: enough for many jobs' syncs to overlap.
    static let fileWorkThreads = 8
    /// Jobs that may hold a prepared submit body (the face as base64) at once, whatever `max_in_flight` is.
    static let preparedSubmitLimit = 16

    package let state: StateFolders
    private let watcher: InotifyWatcher
    private let lock: InstanceLock
    let journal: JobJournal
    private let inboxes: InboxDirectory
    private let intake: DropIntake
    private let retries: RetryIntake
    let scheduler: JobScheduler
    let credits: CreditsMonitor
    private let spending: SpendingGate
    private let budget: RequestBudget
    private let client: SegmindClient
    private let hooks: HookRunner
    let configuration: Mutex<DaemonConfiguration>
    private let readiness: StartupReadiness
    private let pruner: OutboxPruner
    private let journalPruner: JournalPruner
    /// This host's leases in the shared inboxes.
    private let leases: HostLeaseKeeper
    private let logger: Logger

    /// Sets everything up without taking a job yet. Suspends while the inotify thread starts (and while a
    /// watcher stopped just before finishes its cleanup) instead of blocking a cooperative thread.
    ///
    /// - Parameters:
    ///   - segmind: Where and how to reach Segmind; its `gate` is replaced by the daemon's request budget.
    ///   - notifier: The service manager to tell of readiness, queue figures and liveness (`Type=notify`).
    package init(
        configuration: DaemonConfiguration,
        segmind: SegmindConfiguration,
        http: HTTPClient,
        catalog: ModelCatalog,
        notifier: ServiceNotifier = .disabled,
        logger: Logger = Logger(label: "facedrop")
    ) async throws(DaemonError) {
        let state = StateFolders(root: configuration.state.directory)
        do {
            try Files.makeFolders(state.wake)
            try Files.makeFolders(state.spool)
        } catch {
            throw .stateUnusable(path: state.root, reason: "\(error)")
        }
        do {
            watcher = try await InotifyWatcher(wakeFolder: state.wake, logger: logger)
        } catch {
            throw .watcher("\(error)")
        }
        lock = try InstanceLock(path: state.lock)
        do {
            journal = try JobJournal(stateDirectory: state.root)
        } catch {
            throw .journal("\(error)")
        }
        self.state = state
        self.logger = logger
        self.configuration = Mutex(configuration)
        let crashPoints = try CrashPoints(environment: ProcessInfo.processInfo.environment, logger: logger)

        let window: RequestWindowFile?
        do {
            window = try RequestWindowFile(
                path: state.requestWindow,
                limit: configuration.api.requestsPerMinute,
                window: .seconds(60) + RequestBudget.arrivalGuard
            )
        } catch {
            logger.error("the request window cannot be kept across restarts; a restart starts with a full budget", metadata: ["error": "\(error)"])
            window = nil
        }
        if let window, !window.earlier.isEmpty {
            logger.notice(
                "the request budget counts requests of the last minute before this start",
                metadata: ["requests": "\(window.earlier.count)", "limit": "\(configuration.api.requestsPerMinute)"]
            )
        }
        let budget = RequestBudget(requestsPerMinute: configuration.api.requestsPerMinute, burst: configuration.api.requestBurst, file: window)
        var segmind = segmind
        segmind.gate = budget
        let client = SegmindClient(configuration: segmind, http: http, logger: logger)
        self.budget = budget
        self.client = client

        credits = CreditsMonitor(
            outboxes: Self.outboxes(of: configuration),
            warnBelow: configuration.credits.warnBelow,
            logger: logger,
            balanceInterval: Self.creditsFileInterval
        )
        inboxes = InboxDirectory(configuration)
        let planner = PollPlanner(
            catalog: catalog,
            learned: Self.learnedRunTimes(journal: journal, catalog: catalog, logger: logger),
            runTimeScale: configuration.api.runTimeScale
        )
        // Threads "facedrop-file-0" to "-7": the kernel keeps 15 bytes of a name, so each stays told apart in `top -H`.
        let files = FileWorkPool(threads: Self.fileWorkThreads, name: "facedrop-file")
        pruner = OutboxPruner(journal: journal, files: files, logger: logger)
        let journalPruner = JournalPruner(journal: journal, files: files, keepDays: configuration.state.keepJournalDays, logger: logger)
        self.journalPruner = journalPruner
        let spending = SpendingGate(configuration, journal: journal, logger: logger)
        self.spending = spending
        let hooks = HookRunner(
            journal: journal,
            settings: { [inboxes] name in inboxes.inbox(named: name).map { HookRunner.InboxHooks(hooks: $0.hooks, outbox: $0.outbox) } },
            send: WebhookDelivery.sender(http),
            failures: HookFailures(logger: logger),
            logger: logger
        )
        self.hooks = hooks
        let owner = "\(JobClaimer.defaultOwner):\(state.root)"
        let executor = JobExecutor(
            journal: journal,
            client: client,
            catalog: catalog,
            inboxes: inboxes,
            state: state,
            planner: SharedPlanner(planner),
            credits: credits,
            spending: spending,
            files: files,
            slots: SubmitSlots(limit: Self.preparedSubmitLimit),
            crashPoints: crashPoints,
            unwritable: UnwritableFolders(logger: logger),
            hooks: hooks,
            owner: owner,
            logger: logger
        )
        scheduler = JobScheduler(
            executor: executor,
            journal: journal,
            credits: credits,
            client: client,
            maxInFlight: configuration.api.maxInFlight,
            inboxTurns: InboxTurns.of(configuration.inboxes),
            creditRecheck: configuration.credits.recheckInterval,
            heartbeat: Self.heartbeat(
                notifier: notifier,
                status: { [journal, inboxes] in Self.status(journal: journal, inboxes: inboxes.count, inFlight: $0) }
            ),
            releaseMemoryAfter: configuration.memory.releaseWhenIdleAfter,
            jobFinished: { journalPruner.jobFinished() },
            logger: logger
        )
        readiness = StartupReadiness { [notifier, journal, inboxes, logger] in
            notifier.send(.ready, .status(Self.status(journal: journal, inboxes: inboxes.count, inFlight: 0)))
            logger.notice("facedrop is ready: the journal is recovered and every inbox is watched")
        }
        leases = HostLeaseKeeper(
            owner: owner,
            files: files,
            takeover: ClaimTakeover(owner: owner, journal: journal, scheduler: scheduler, executor: executor, files: files, logger: logger),
            configuration: configuration,
            logger: logger
        )
        retries = RetryIntake(journal: journal, files: files, owner: owner, logger: logger, rewatch: { [watcher] root in watcher.watch(tree: root) })
        intake = DropIntake(
            journal: journal,
            executor: executor,
            scheduler: scheduler,
            owner: owner,
            logger: logger,
            rewatch: { [watcher] root in watcher.watch(tree: root) }
        )
    }

    /// Runs until the calling task is cancelled; then stops taking jobs, lets in-flight ones save their state
    /// (each resumes at the next start), and returns.
    package func run() async {
        let configuration = self.configuration.withLock { $0 }
        for outbox in Set(configuration.inboxes.map(\.outbox)) {
            do {
                try OutboxFolders(root: outbox).prepare()
            } catch {
                logger.error("the outbox cannot be prepared; results wait in the spool until it can", metadata: ["outbox": "\(outbox)", "error": "\(error)"])
            }
            let removed = OutboxFolders(root: outbox).sweepLeftovers()
            if !removed.isEmpty { logger.notice("removed crash leftovers", metadata: ["outbox": "\(outbox)", "count": "\(removed.count)"]) }
        }
        sweepSpool()
        // The lease first: a host is seen alive on a shared inbox before it claims anything there.
        await leases.renewAll()
        let (added, _) = await intake.configure(configuration.inboxes)
        await intake.sweepClaims()
        readiness.expect(roots: added)
        for root in added { watcher.watch(tree: root) }
        for root in await retries.configure(configuration.inboxes).added { watcher.watch(tree: root) }
        logger.notice(
            "facedrop is running",
            metadata: [
                "inboxes": "\(configuration.inboxes.count)", "state": "\(state.root)",
                "segmind":
                    "\(configuration.api.baseURL == .emulator ? "emulator (EMULATED: synthetic pictures, nothing billed)" : configuration.api.baseURL.description)",
            ]
        )
        let client = self.client
        let credits = self.credits
        let readiness = self.readiness
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.scheduler.recover()
                readiness.recovered()
                self.leases.recovered()
                await self.scheduler.run()
            }
            group.addTask { await self.intake.run() }
            group.addTask { await self.hooks.run() }
            group.addTask { await self.leases.run() }
            group.addTask { await self.retries.run() }
            group.addTask { await self.journalPruner.run() }
            group.addTask {
                await self.pruner.run { OutboxPruner.retentions(of: self.configuration.withLock { $0 }) }
            }
            group.addTask {
                for await event in self.watcher.events {
                    if event == .requested {
                        // `facedrop cancel` journaled cancellations: their files go to cancelled/ now.
                        await self.scheduler.deliverCancellations()
                        continue
                    }
                    if let path = event.path, self.retries.owns(path) {
                        await self.retries.handle(event)
                        continue
                    }
                    if event == .overflow { await self.retries.handle(event) }
                    await self.intake.handle(event)
                    readiness.handled(event)
                }
            }
            group.addTask {
                // The balance at start, from the free endpoint, so credits.json is right before the first job.
                await credits.publish()
                if let balance = try? await client.credits() { await credits.record(remaining: balance.total) }
            }
            await withTaskCancellationHandler {
                await self.waitForCancellation()
            } onCancel: {
                self.watcher.stop()
            }
            group.cancelAll()
        }
        await credits.flush()
        logger.notice("facedrop stopped; unfinished jobs resume at the next start")
    }

    /// Whether start-up is over and `READY=1` was sent: a reload before then must not send its own READY.
    package var isReady: Bool { readiness.isAnnounced }

    /// Applies a new configuration: inbox settings, new and removed inboxes, `max_in_flight`, the spending
    /// limits (jobs held for budget are checked again at once).
    /// The state folder, `requests_per_minute` and `request_burst` need a restart.
    package func reload(_ new: DaemonConfiguration) async {
        let old = configuration.withLock { configuration in
            let old = configuration
            configuration = new
            return old
        }
        inboxes.update(new)
        leases.update(new)
        let (added, removed) = await intake.configure(new.inboxes)
        for root in removed { watcher.unwatch(tree: root) }
        for root in added { watcher.watch(tree: root) }
        let retryFolders = await retries.configure(new.inboxes)
        for root in retryFolders.removed { watcher.unwatch(tree: root) }
        for root in retryFolders.added { watcher.watch(tree: root) }
        await scheduler.update(
            maxInFlight: new.api.maxInFlight,
            inboxTurns: InboxTurns.of(new.inboxes),
            creditRecheck: new.credits.recheckInterval,
            releaseMemoryAfter: new.memory.releaseWhenIdleAfter
        )
        await credits.update(outboxes: Self.outboxes(of: new), warnBelow: new.credits.warnBelow)
        spending.update(new)
        await scheduler.budgetsChanged()
        pruner.configurationChanged()
        if old.state != new.state || old.api.requestsPerMinute != new.api.requestsPerMinute || old.api.requestBurst != new.api.requestBurst
            || old.api.baseURL != new.api.baseURL || old.metrics != new.metrics
        {
            logger.warning("[state], [metrics], base_url, requests_per_minute and request_burst changes take effect at the next restart")
        }
        logger.notice("configuration reloaded", metadata: ["inboxes": "\(new.inboxes.count)"])
    }

    // MARK: Implementation

    /// Each outbox of the configuration once, in a stable order.
    private static func outboxes(of configuration: DaemonConfiguration) -> [OutboxFolders] {
        Array(Set(configuration.inboxes.map(\.outbox))).sorted().map { OutboxFolders(root: $0) }
    }

    /// Suspends until the task is cancelled: one sleep longer than any daemon lives, so an idle daemon is not
    /// woken to check.
    private func waitForCancellation() async {
        while !Task.isCancelled {
            try? await TimerClock().sleep(for: .seconds(100 * 365 * 86_400))
        }
    }

    /// Removes what a crash left in the spool (the folders of finished jobs, temporary files); the outputs kept
    /// for unfinished jobs stay.
    private func sweepSpool() {
        guard let root = try? Folder.open(state.root) else { return }
        for job in (try? root.names(state.spool)) ?? [] {
            let folder = "\(state.spool)/\(job)"
            guard let id = Int64(job), let record = try? journal.job(id), !record.state.isTerminal else {
                try? root.removeTree(folder)
                continue
            }
            for entry in (try? root.names(folder)) ?? [] where entry.hasPrefix(".") {
                try? root.removeTree("\(folder)/\(entry)")
            }
        }
    }
}
