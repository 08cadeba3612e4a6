import DedicatedThreads
import Foundation
import Journal
import Logging
import Scheduling
import SegmindAPI

/// Starts claimed jobs while fewer than `max_in_flight` wait on Segmind, taking turns fairly between the
/// inboxes (by their weights) and, in an inbox that shares by subfolder, between its top-level subfolders
/// (``FairTurns``); within a queue, the highest priority first, then the longest ready. It pauses submission
/// while the account has no credits.
///
/// A queue with no job in flight may start one even when `max_in_flight` are out (at most `max_in_flight` more
/// in all): a single drop into a quiet inbox never waits for a busy inbox's jobs to finish.
///
/// The queue itself lives in the journal, not in memory: however long the backlog, the scheduler holds only
/// the jobs in flight, and a restart loses nothing.
actor JobScheduler {
    private let executor: JobExecutor
    private let journal: JobJournal
    private let credits: CreditsMonitor
    private let client: SegmindClient
    private let logger: Logger
    private let clock: ElapsedClock
    private let doorbell: Doorbell
    private var maxInFlight: Int
    private var creditRecheck: Duration
    private var running: [Int64: Task<Void, Never>] = [:]
    /// The queue each job in flight was started from.
    private var runningShares: [Int64: QueueShare] = [:]
    private var turns = FairTurns()
    private var inboxTurns: [String: InboxTurns]
    /// Jobs a folder refused (the spool could not take their outputs, or the outbox their folder: full,
    /// read-only), retried with backoff.
    private var pendingWrites: Set<Int64> = []
    private var writeRetryDelay: Duration = .seconds(5)
    private var nextWriteRetry: ElapsedClock.Instant?
    private var waitingForCredits: Task<Void, Never>?
    /// When jobs held for budget are let go to be gated again: the next rollover of a limit they exceed.
    private var budgetRelease: ElapsedClock.Instant?
    private var accepting = true
    /// A job task ended early (interrupted): it may have been cancelled from under it, so the next pass delivers
    /// cancelled jobs' files.
    private var cancellationsToDeliver = false
    private let heartbeat: Heartbeat?
    private var nextBeat: ElapsedClock.Instant
    /// How long no job must be in flight before the daemon hands back memory it does not use (``IdleMemory``);
    /// nil never.
    private var releaseMemoryAfter: Duration?
    /// Told of every job that finished (``JournalPruner/jobFinished()``).
    private let jobFinished: @Sendable () -> Void
    /// When that will be, while no job is in flight and the memory has not been released since the last one.
    private var memoryRelease: ElapsedClock.Instant?

    init(
        executor: JobExecutor,
        journal: JobJournal,
        credits: CreditsMonitor,
        client: SegmindClient,
        maxInFlight: Int,
        inboxTurns: [String: InboxTurns],
        creditRecheck: Duration,
        heartbeat: Heartbeat?,
        releaseMemoryAfter: Duration?,
        jobFinished: @escaping @Sendable () -> Void = {},
        clock: some Clock<Duration> = TimerClock(),
        logger: Logger
    ) {
        let clock = ElapsedClock(clock)
        self.clock = clock
        self.doorbell = Doorbell(clock: clock)
        self.nextBeat = clock.now
        self.executor = executor
        self.journal = journal
        self.credits = credits
        self.client = client
        self.maxInFlight = maxInFlight
        self.inboxTurns = inboxTurns
        self.creditRecheck = creditRecheck
        self.heartbeat = heartbeat
        self.releaseMemoryAfter = releaseMemoryAfter
        self.jobFinished = jobFinished
        self.logger = logger
    }

    /// New work may be waiting: look at the queue again.
    nonisolated func wake() {
        doorbell.ring()
    }

    /// A job adopted from a dead host was journaled: a claimed one joins the queue (``wake()``), one further on runs
    /// from its state now (polled with its request ID, or failed as an unknown outcome).
    func adopted(_ record: JobRecord) {
        guard record.state != .claimed else {
            doorbell.ring()
            return
        }
        guard accepting, running[record.id] == nil else { return }
        start(record)
    }

    func update(maxInFlight: Int, inboxTurns: [String: InboxTurns], creditRecheck: Duration, releaseMemoryAfter: Duration?) {
        self.maxInFlight = maxInFlight
        self.inboxTurns = inboxTurns
        self.creditRecheck = creditRecheck
        if releaseMemoryAfter != self.releaseMemoryAfter {
            self.releaseMemoryAfter = releaseMemoryAfter
            if running.isEmpty { scheduleMemoryRelease() }
        }
        wake()
    }

    var inFlight: Int { running.count }

    /// Starts queued jobs until cancelled; ``recover()`` comes first.
    func run() async {
        if running.isEmpty { scheduleMemoryRelease() }
        while !Task.isCancelled {
            await fill()
            beatIfDue()
            await doorbell.wait(
                until: [nextWriteRetry, heartbeat.map { _ in nextBeat }, budgetRelease, memoryRelease].compactMap(\.self).min()
            )
            if let release = memoryRelease, release <= clock.now {
                releaseIdleMemory()
            }
            if let retry = nextWriteRetry, retry <= clock.now {
                await retryWrites()
            }
            if let release = budgetRelease, release <= clock.now {
                await releaseHeldForBudget(because: "a budget period rolled over")
            }
        }
        await drain()
    }

    private func beatIfDue() {
        guard let heartbeat, nextBeat <= clock.now else { return }
        heartbeat.beat(running.count)
        nextBeat = clock.now + heartbeat.interval
    }

    /// Stops starting jobs, cancels the waits of those in flight (a POST already sent is awaited), and returns
    /// when every job task has saved its state.
    private func drain() async {
        accepting = false
        waitingForCredits?.cancel()
        let tasks = Array(running.values)
        for task in tasks { task.cancel() }
        let posts = executor.postsOnTheWire.value
        if posts > 0 {
            // A POST on the wire may already be billed: its answer (the request ID) is worth the wait.
            logger.notice("stopping: waiting for the answer to submits already sent to Segmind", metadata: ["submits": "\(posts)", "jobs": "\(tasks.count)"])
        } else if !tasks.isEmpty {
            logger.notice("stopping: jobs in flight save their state", metadata: ["jobs": "\(tasks.count)"])
        }
        for task in tasks { await task.value }
    }

    // MARK: Implementation

    /// Settles what the journal left unfinished: unknown outcomes and spooled results are delivered,
    /// requests in flight are polled again, jobs held for credits go back in the queue.
    func recover() async {
        let plan: RecoveryPlan
        do {
            plan = try journal.recover()
            for failed in try journal.undeliveredFailures() {
                _ = await executor.deliverFailure(failed)
            }
            for cancelled in try journal.undeliveredCancellations() {
                _ = await executor.deliverCancellation(cancelled)
            }
        } catch {
            logger.error("the journal could not be read for recovery", metadata: ["error": "\(error)"])
            return
        }
        if !plan.isEmpty {
            logger.notice(
                "resuming unfinished jobs",
                metadata: [
                    "outcome_unknown": "\(plan.outcomeUnknown.count)", "polling": "\(plan.resumePolling.count)",
                    "deliveries": "\(plan.redeliver.count + plan.finish.count)", "queued": "\(plan.requeue.count)",
                ]
            )
        }
        for record in plan.outcomeUnknown + plan.redeliver + plan.finish {
            _ = await executor.run(record)
        }
        for record in plan.resumePolling {
            start(record)
        }
        for record in plan.requeue where record.state == .waitingForCredits {
            _ = try? await journal.releaseFromCredits(record.id)
        }
        // Jobs held for budget are gated again: the period may have rolled over, or the limits changed. Estimates
        // a crash left reserved for jobs whose POST was never sent stop counting first.
        for record in plan.requeue where record.state == .waitingForBudget {
            _ = try? await journal.releaseFromBudget(record.id)
        }
        do {
            let released = try await journal.releaseUnsentSpend()
            if released > 0 { logger.notice("gave back the budget reserved for jobs not submitted before the stop", metadata: ["jobs": "\(released)"]) }
        } catch {
            logger.error("reservations of unsent jobs could not be given back; they count until the next start", metadata: ["error": "\(error)"])
        }
    }

    /// `facedrop cancel` changed the journal: returns the files of the jobs it took back to `cancelled/`.
    func deliverCancellations() async {
        cancellationsToDeliver = false
        guard accepting else { return }
        let cancelled: [JobRecord]
        do {
            cancelled = try journal.undeliveredCancellations()
        } catch {
            logger.error("the journal could not be read", metadata: ["error": "\(error)"])
            return
        }
        // A job still in a task waits for its turn or is being prepared (its POST cannot be out: the cancel moved it
        // out of `claimed` first). The task is stopped, so it neither holds a turn nor a slot; its files are delivered
        // once it has ended (`ended` sets `cancellationsToDeliver`).
        for record in cancelled where running[record.id] != nil {
            running[record.id]?.cancel()
        }
        for record in cancelled where running[record.id] == nil {
            if await executor.deliverCancellation(record) == .writePending {
                pendingWrites.insert(record.id)
                if nextWriteRetry == nil { nextWriteRetry = clock.now + writeRetryDelay }
            }
        }
    }

    private func fill() async {
        if cancellationsToDeliver { await deliverCancellations() }
        guard accepting, waitingForCredits == nil, running.count < 2 * maxInFlight else { return }
        var waiting: Set<QueueShare>
        do {
            waiting = Set(try journal.queuedFolders().map { InboxTurns.share(inbox: $0.inbox, topFolder: $0.topFolder, in: inboxTurns) })
        } catch {
            logger.error("the journal could not be read", metadata: ["error": "\(error)"])
            return
        }
        // A paused inbox's queues sit out (one stat of its PAUSE file each); the executor asks again before each POST.
        let paused = Set(waiting.map(\.inbox)).filter { executor.inboxes.isPaused($0) }
        if !paused.isEmpty { waiting = waiting.filter { !paused.contains($0.inbox) } }
        while accepting, !waiting.isEmpty {
            // Under max_in_flight any queue may start a job; beyond it only a queue with none in flight.
            let busy = Set(runningShares.values)
            let candidates = running.count < maxInFlight ? waiting : waiting.subtracting(busy)
            guard running.count < 2 * maxInFlight, let share = turns.next(among: candidates) else { return }
            let next: JobRecord?
            do {
                next = try journal.nextToSubmit(inbox: share.inbox, topFolder: share.subfolder, limit: 1, skipping: Set(running.keys)).first
            } catch {
                logger.error("the journal could not be read", metadata: ["error": "\(error)"])
                return
            }
            guard let record = next else {
                // Every claimed job of this queue has started already.
                waiting.remove(share)
                continue
            }
            turns.charge(share, weight: inboxTurns[share.inbox]?.weight ?? 1)
            start(record, share: share)
        }
    }

    private func start(_ record: JobRecord, share: QueueShare? = nil) {
        let executor = self.executor
        let share = share ?? InboxTurns.share(inbox: record.claim.inbox, topFolder: record.claim.topFolder, in: inboxTurns)
        runningShares[record.id] = share
        memoryRelease = nil
        // Every request the job makes carries its queue, so the request budget takes turns as the scheduler does.
        let requests = RequestShare(share: share, weight: inboxTurns[share.inbox]?.weight ?? 1)
        running[record.id] = Task(executorPreference: ExecutorPreference.current) {
            let ending = await RequestShare.$current.withValue(requests) { await executor.run(record) }
            await self.ended(record.id, ending)
        }
    }

    /// A job failed outside the scheduler (an orphan, a bad claim) and the outbox could not take it yet.
    func writePending(_ id: Int64) {
        ended(id, .writePending)
    }

    private func ended(_ id: Int64, _ ending: JobExecutor.Ending) {
        running[id] = nil
        runningShares[id] = nil
        switch ending {
        case .finished:
            jobFinished()
        case .paused:
            break
        case .interrupted:
            // Also how a job cancelled from under its task ends: its files are delivered once the task is gone.
            if accepting { cancellationsToDeliver = true }
        case .heldForCredits:
            pauseForCredits()
        case .heldForBudget(let until):
            // Wall-clock rollover as a wait on the scheduler's clock; a second late, so the new period has begun.
            let delay = Duration.milliseconds(Int(max(0, until.timeIntervalSinceNow + 1) * 1000))
            let release = clock.now + delay
            budgetRelease = budgetRelease.map { min($0, release) } ?? release
        case .writePending:
            pendingWrites.insert(id)
            if nextWriteRetry == nil { nextWriteRetry = clock.now + writeRetryDelay }
        }
        if running.isEmpty { scheduleMemoryRelease() }
        wake()
    }

    /// No job is in flight: the memory is released once none has been for `releaseMemoryAfter`.
    private func scheduleMemoryRelease() {
        memoryRelease = releaseMemoryAfter.map { clock.now + $0 }
    }

    /// Hands back what the daemon does not use while it waits (``IdleMemory``): one release per quiet spell, so
    /// an idle daemon does not wake again for it. Only due while no job is in flight: a job's start cancels it.
    private func releaseIdleMemory() {
        memoryRelease = nil
        let report = IdleMemory.release()
        var metadata: Logger.Metadata = [
            "resident": "\(report.before.map { String(format: "%.1f MiB", Double($0.total) / 1024) } ?? "unknown")",
            "mapped": "\(report.mappings) mappings, \(report.bytes / 1_048_576) MiB",
        ]
        if let refusal = report.refusal {
            metadata["refused"] = "\(refusal)"
        }
        logger.info("idle: releasing the memory the daemon does not use while it waits", metadata: metadata)
    }

    /// Submission stops; one task asks the free credits endpoint until the balance is back, then releases
    /// every held job.
    private func pauseForCredits() {
        guard waitingForCredits == nil, accepting else { return }
        logger.warning("credits exhausted: submission paused until credits are back")
        let credits = self.credits
        let client = self.client
        let interval = creditRecheck
        waitingForCredits = Task(executorPreference: ExecutorPreference.current) {
            await credits.waitUntilCreditsReturn(check: { try await client.credits().total }, interval: interval)
            await self.creditsReturned()
        }
    }

    private func creditsReturned() async {
        waitingForCredits = nil
        guard accepting else { return }
        do {
            for record in try journal.jobs(in: .waitingForCredits) {
                try await journal.releaseFromCredits(record.id)
            }
        } catch {
            logger.error("held jobs could not be released", metadata: ["error": "\(error)"])
        }
        logger.notice("credits are back: submission resumed")
        wake()
    }

    /// The spending limits changed (a reload): jobs held for budget are gated again at once.
    func budgetsChanged() async {
        await releaseHeldForBudget(because: "the configuration was reloaded")
    }

    /// Puts every job held for budget back in the queue; those that still do not fit are held again.
    private func releaseHeldForBudget(because reason: String) async {
        budgetRelease = nil
        guard accepting else { return }
        do {
            let held = try journal.jobs(in: .waitingForBudget)
            guard !held.isEmpty else { return }
            for record in held {
                try await journal.releaseFromBudget(record.id)
            }
            logger.notice("jobs held for budget are checked again", metadata: ["jobs": "\(held.count)", "reason": "\(reason)"])
        } catch {
            logger.error("jobs held for budget could not be released", metadata: ["error": "\(error)"])
        }
        wake()
    }

    private func retryWrites() async {
        nextWriteRetry = nil
        // Jobs that end with `.writePending` while this runs (it suspends at every journal write) join the set
        // through `ended`; only the ones retried here are taken out and put back.
        let retrying = pendingWrites
        pendingWrites.subtract(retrying)
        for id in retrying {
            guard let record = try? journal.job(id) else { continue }
            if await executor.retryWrite(record) == .writePending { pendingWrites.insert(id) }
        }
        if pendingWrites.isEmpty {
            writeRetryDelay = .seconds(5)
        } else {
            writeRetryDelay = min(writeRetryDelay * 2, .seconds(300))
            nextWriteRetry = clock.now + writeRetryDelay
        }
    }
}
