import DaemonConfiguration
import DedicatedThreads
import FileSystem
import Foundation
import Hashing
import HotFolder
import InboxWatcher
import JobPipeline
import Journal
import Logging
import Outbox
import Scheduling
import SegmindCatalog
import StrictJSON

/// Turns what the watcher and the scans see into claimed jobs in the journal.
///
/// inotify events are only hints to look again: every decision is made on a fresh `lstat`, a file counts as
/// written once its size and mtime have held still for the inbox's `settle` time, and the startup scan, a
/// rescan after a queue overflow and a slow periodic reconciliation find whatever events missed.
actor DropIntake {
    /// One watched inbox and what is known of it.
    private struct Inbox {
        var configuration: InboxConfiguration
        var tracker: InboxTracker<ElapsedClock.Instant>
        var claimer: JobClaimer
        var nextScan: ElapsedClock.Instant
        /// No inotify watch could be placed for some folder: the inbox is rescanned often instead.
        var degraded = false
        /// The inbox folder itself was deleted or moved away; it is watched again once it is back.
        var rootLost = false
        /// A `PAUSE` file was seen in the inbox (for the log and to wake the scheduler when it goes).
        var paused = false
        var rescanInterval: Duration {
            degraded ? min(configuration.rescanInterval, .seconds(10)) : configuration.rescanInterval
        }
    }

    /// How often a deleted inbox folder is looked for: one `stat` while it is gone, so a folder deleted and made
    /// anew (`rm -rf inbox; mkdir inbox`) is watched again within seconds.
    static let lostRootRecheck: Duration = .seconds(2)

    private var inboxes: [String: Inbox] = [:]
    private let journal: JobJournal
    private let executor: JobExecutor
    private let scheduler: JobScheduler
    private let logger: Logger
    /// Times the settle, orphan, rescan and retry deadlines.
    private let clock: ElapsedClock
    private let doorbell: Doorbell
    private var warnedFolders: Set<String> = []
    /// A claim whose files were moved into their claim folder and that the journal has not taken yet.
    private struct PendingClaim {
        var claim: JobClaim
        /// The outbox of the claim's inbox, for the warning file.
        var outbox: String
        /// Set for an orphan: the failure to record once it is journaled.
        var failure: JobFailure?
        var attempts = 0
        var due: ElapsedClock.Instant
    }

    /// Claims the journal refused, tried again with backoff (see ``retryUnjournaled()``).
    private var unjournaled: [PendingClaim] = []
    /// Problems already logged, per inbox (see `report`).
    private var reportedProblems: [String: Set<String>] = [:]
    /// When the intake loop will next wake by itself; nil while it waits for an event.
    private var scheduledWake: ElapsedClock.Instant?

    /// Names this daemon in its claims, so a sweep never takes back another instance's jobs on a shared inbox.
    private let owner: String

    /// Asks the watcher to watch an inbox tree again (after its folder was deleted and made anew).
    private let rewatch: @Sendable (String) -> Void

    init(
        journal: JobJournal,
        executor: JobExecutor,
        scheduler: JobScheduler,
        owner: String,
        logger: Logger,
        clock: some Clock<Duration> = TimerClock(),
        rewatch: @escaping @Sendable (String) -> Void
    ) {
        let clock = ElapsedClock(clock)
        self.clock = clock
        self.doorbell = Doorbell(clock: clock)
        self.rewatch = rewatch
        self.owner = owner
        self.journal = journal
        self.executor = executor
        self.scheduler = scheduler
        self.logger = logger
    }

    /// Starts or stops looking after inboxes to match a (re)loaded configuration; returns the roots added and removed.
    func configure(_ configurations: [InboxConfiguration]) -> (added: [String], removed: [String]) {
        var added: [String] = []
        var removed: [String] = []
        let names = Set(configurations.map(\.name))
        for (name, inbox) in inboxes where !names.contains(name) {
            inboxes[name] = nil
            removed.append(inbox.configuration.path)
        }
        for configuration in configurations {
            let rules = Self.rules(configuration)
            if var inbox = inboxes[configuration.name], inbox.configuration.path == configuration.path {
                inbox.configuration = configuration
                inbox.tracker.update(rules: rules)
                inboxes[configuration.name] = inbox
            } else {
                if let old = inboxes[configuration.name] { removed.append(old.configuration.path) }
                _ = try? Files.makeFolders(configuration.path, mode: .sharedFolder)
                let crashPoints = executor.crashPoints
                let claimer = JobClaimer(inboxRoot: configuration.path, owner: owner, logger: logger) { stem in
                    crashPoints.reach("claim.recorded", job: stem)
                }
                inboxes[configuration.name] = Inbox(
                    configuration: configuration,
                    tracker: InboxTracker(root: configuration.path, rules: rules),
                    claimer: claimer,
                    nextScan: clock.now
                )
                refreshPause(configuration.name)
                added.append(configuration.path)
            }
        }
        doorbell.ring()
        return (added, removed)
    }

    /// Puts back the files of claims the journal never heard of (a crash between the rename and the journal
    /// write) and removes the claim folders of jobs that had finished.
    func sweepClaims() {
        for inbox in inboxes.values {
            let work = inbox.claimer.workFolder
            var known: Set<String> = []
            for entry in Files.names(in: work) ?? [] {
                let path = "\(work)/\(entry)"
                guard let record = try? journal.job(claimedPath: path) else { continue }
                if record.state.isTerminal && (record.state == .done || record.resultFolder != nil) {
                    try? inbox.claimer.discard(claimFolder: path)
                } else {
                    known.insert(path)
                }
            }
            let restored = inbox.claimer.sweep(known: known)
            if !restored.isEmpty {
                logger.notice("put back files of an unrecorded claim", metadata: ["inbox": "\(inbox.configuration.name)", "files": "\(restored.count)"])
            }
        }
    }

    // MARK: Events

    func handle(_ event: WatchEvent) {
        switch event {
        case .changed(let path):
            guard let name = inboxName(containing: path), let inbox = inboxes[name] else { return }
            if path == inbox.configuration.pauseFile { refreshPause(name) }
            if let snapshot = FileSnapshot.lstat(path) {
                inboxes[name]?.tracker.observe(snapshot, at: clock.now)
            } else {
                inboxes[name]?.tracker.forget(path: path)
            }
            // A change can make nothing due sooner than one settle time from now: while the loop is already
            // set to wake before that, a burst of thousands of events costs no extra pass over the inbox.
            if let wake = scheduledWake, wake <= clock.now + inbox.configuration.settle { return }
        case .removed(let path):
            guard let name = inboxName(containing: path) else { return }
            if path == inboxes[name]?.configuration.pauseFile { refreshPause(name) }
            inboxes[name]?.tracker.forget(path: path)
            return
        case .folderAdded(let path):
            scan(folder: path)
        case .folderRemoved(let path):
            if let name = inboxes.first(where: { $0.value.configuration.path == path })?.key {
                logger.error("the inbox folder is gone; it is watched again once it is back", metadata: ["inbox": "\(name)", "path": "\(path)"])
                inboxes[name]?.rootLost = true
                inboxes[name]?.degraded = true
                inboxes[name]?.nextScan = clock.now + Self.lostRootRecheck
                inboxes[name]?.tracker.reconcile([], under: path, at: clock.now)
                // The loop must learn of the new deadline now: asleep until the next event or rescan, it would not
                // look for the folder again before `rescan_interval`.
                doorbell.ring()
                return
            }
            guard let name = inboxName(containing: path) else { return }
            inboxes[name]?.tracker.reconcile([], under: path, at: clock.now)
        case .overflow:
            logger.warning("the inotify queue overflowed; rescanning every inbox")
            for name in inboxes.keys { inboxes[name]?.nextScan = clock.now }
        case .watchLimitReached(let folder):
            degrade(
                folder: folder,
                kind: "watch-limit",
                message:
                    "inotify watches ran out (ENOSPC) at \(folder): raise /proc/sys/fs/inotify/max_user_watches; until then this inbox is rescanned every 10 seconds"
            )
        case .watchFailed(let folder, let reason):
            degrade(folder: folder, kind: "watch-failed", message: "\(folder) cannot be watched (\(reason)); it is rescanned every 10 seconds")
        case .requested:
            return
        case .undecodableName(let problem):
            guard
                let name = inboxes.first(where: { problem.hasPrefix($0.value.configuration.path + ":") || problem.hasPrefix($0.value.configuration.path + "/") }
                )?.key
            else { return }
            report([problem], inbox: name, completeScan: false)
            return
        }
        doorbell.ring()
    }

    /// The intake's own loop: wakes at the next settle, orphan or rescan deadline, or when an event arrives.
    func run() async {
        while !Task.isCancelled {
            await processDue()
            scheduledWake = nextWake()
            await doorbell.wait(until: scheduledWake)
            scheduledWake = nil
        }
    }

    // MARK: Implementation

    private func nextWake() -> ElapsedClock.Instant? {
        var earliest: ElapsedClock.Instant? = unjournaled.map(\.due).min()
        for inbox in inboxes.values {
            for candidate in [inbox.tracker.nextDeadline(), inbox.nextScan].compactMap({ $0 }) {
                earliest = min(earliest ?? candidate, candidate)
            }
        }
        return earliest
    }

    private func processDue() async {
        await retryUnjournaled()
        let now = clock.now
        for name in Array(inboxes.keys) {
            guard var inbox = inboxes[name] else { continue }
            if inbox.nextScan <= now, inbox.rootLost {
                if Files.exists(inbox.configuration.path, followingLinks: true) {
                    inbox.rootLost = false
                    inbox.degraded = false
                    rewatch(inbox.configuration.path)
                    logger.notice("the inbox folder is back; watching it again", metadata: ["inbox": "\(name)"])
                } else {
                    inbox.nextScan = now + Self.lostRootRecheck
                    inboxes[name] = inbox
                    continue
                }
            }
            if inbox.nextScan <= now {
                let scan = FolderScanner.scan(inbox.configuration.path)
                report(scan.problems, inbox: name, completeScan: true)
                inbox.tracker.reconcile(scan.files.map(Self.snapshot), under: inbox.configuration.path, at: now)
                inbox.nextScan = now + inbox.rescanInterval
                inboxes[name] = inbox
                // Where inotify misses writes (a network share), the rescan is what notices a PAUSE file come or go.
                refreshPause(name)
                inbox = inboxes[name] ?? inbox
            }
            let output = inbox.tracker.take(at: now, wallClock: Date())
            inboxes[name] = inbox
            // Tickets first: the faces they name must not be claimed alone in the same pass.
            for ticket in output.tickets {
                await take(ticket, inbox: inbox)
            }
            var claimed = 0
            for start in stride(from: 0, to: output.ready.count, by: JobClaimer.batchLimit) {
                let batch = Array(output.ready[start..<min(start + JobClaimer.batchLimit, output.ready.count)])
                claimed += await claim(batch, inbox: inbox)
            }
            for orphan in output.orphans {
                await claimOrphan(orphan, inbox: inbox)
            }
            if claimed > 0 { scheduler.wake() }
        }
    }

    /// Claims the jobs that became ready together (the claimer shares the folder flushes between them) and
    /// journals each; returns how many are claimed.
    private func claim(_ ready: [ReadyJob], inbox: Inbox) async -> Int {
        // A sidecar that asks for variations is written out as one plain drop per variation instead of being claimed.
        var jobs: [ReadyJob] = []
        var refused: [String: JobFailure] = [:]
        // Each sidecar is read once here; the claim below moves it unchanged (or gives the job back), so settling
        // the claim uses this reading instead of reading the moved file again.
        var sidecars: [String: [String: JSONValue]] = [:]
        for job in ready {
            guard let path = job.sidecar?.path, let bytes = try? InputFile.readDropped(path, maxBytes: 256 << 10),
                let sidecar = (try? JSONParser().parse(bytes))?.objectValue
            else {
                jobs.append(job)
                continue
            }
            guard SidecarVariations.requested(in: sidecar) else {
                sidecars[job.face.path] = sidecar
                jobs.append(job)
                continue
            }
            let expander = VariationExpander(journal: journal, files: executor.files, logger: logger)
            switch await expander.expand(job, sidecar: sidecar, sha256: SHA256.hash(bytes).hex, inbox: inbox.configuration) {
            case .expanded:
                continue
            case .invalid(let reason):
                jobs.append(job)
                refused[job.face.path] = JobFailure(
                    stage: .validate,
                    code: "invalid_sidecar",
                    message: "facedrop.variations: \(reason)",
                    hint: "Give \"variations\" a count (2 to \(SidecarVariations.maxJobs)) or a list of objects, each with the keys that change."
                )
            case .postponed(let reason):
                // Left in the inbox: the next rescan hands it over again.
                logger.warning("a drop asking for variations waits for the next rescan", metadata: ["job": "\(job.stem)", "reason": "\(reason)"])
            }
        }
        guard !jobs.isEmpty else { return 0 }
        let claimer = inbox.claimer
        let results = await executor.files.run { [jobs] in claimer.claim(jobs) }
        var claimed = 0
        for (job, result) in zip(jobs, results) {
            switch result {
            case .success(let result):
                if await settle(job, result, inbox: inbox, sidecar: sidecars[job.face.path], failure: refused[job.face.path]) { claimed += 1 }
            case .failure(let error):
                logger.error("a ready job could not be claimed", metadata: ["inbox": "\(inbox.configuration.name)", "job": "\(job.stem)", "error": "\(error)"])
            }
        }
        return claimed
    }

    /// Journals a claimed job, or lets the tracker look again at the files of one that was not claimed.
    private func settle(
        _ job: ReadyJob,
        _ result: ClaimResult,
        inbox: Inbox,
        sidecar read: [String: JSONValue]? = nil,
        failure: JobFailure? = nil
    ) async -> Bool {
        switch result {
        case .lost:
            logger.info("another process took the job first", metadata: ["job": "\(job.stem)"])
            observeAgain([job.face, job.sidecar, job.pose].compactMap { $0?.path }, inbox: inbox)
            return false
        case .changed:
            observeAgain([job.face, job.sidecar, job.pose].compactMap { $0?.path }, inbox: inbox)
            return false
        case .claimed(let files):
            let sidecar = files.sidecarPath == nil ? nil : read ?? files.sidecarPath.flatMap(Self.readSidecar)
            let claim = JobClaim(
                inbox: inbox.configuration.name,
                subpath: job.subpath,
                name: job.stem,
                claimedPath: files.folder,
                facePath: files.facePath ?? "\(files.folder)/\(PathNames.last(job.face.path))",
                sidecarPath: files.sidecarPath,
                posePath: files.posePath,
                model: sidecar?["model"]?.stringValue ?? inbox.configuration.model,
                priority: Self.priority(in: sidecar),
                droppedAt: job.droppedAt,
                readyAt: Date()
            )
            executor.crashPoints.reach("claim.moved", job: job.stem)
            return await record(PendingClaim(claim: claim, outbox: inbox.configuration.outbox, failure: failure, due: clock.now))
        }
    }

    /// Journals a claim whose files are in their claim folder. When the journal refuses it (a full disk, an
    /// immutable file), the claim is kept and tried again with backoff while the daemon runs (see
    /// ``retryUnjournaled()``), so the job is never hidden in `.facedrop/` until a restart; the refusal is reported
    /// once, naming the journal file. True when journaled now.
    private func record(_ pending: PendingClaim) async -> Bool {
        let claim = pending.claim
        let name = claim.subpath.isEmpty ? claim.name : "\(claim.subpath)/\(claim.name)"
        let recorded: JobRecord
        do {
            recorded = try await journal.recordClaim(claim)
        } catch {
            guard case .database = error else {
                logger.error(
                    "a claim was refused by the journal; its files stay in the claim folder until the next start",
                    metadata: ["job": "\(name)", "claim": "\(claim.claimedPath)", "error": "\(error)"]
                )
                return false
            }
            executor.unwritable.refused(
                journal.path,
                kind: "journal-unwritable",
                error: "record the claim of \(name): \(error)",
                job: name,
                outbox: OutboxFolders(root: pending.outbox)
            )
            var retry = pending
            retry.attempts += 1
            retry.due = clock.now + JobExecutor.journalRetry(after: retry.attempts)
            unjournaled.append(retry)
            return false
        }
        executor.unwritable.accepted(journal.path)
        executor.crashPoints.reach("claim.journaled", job: claim.name)
        logger.info("claimed", metadata: ["inbox": "\(claim.inbox)", "job": "\(name)"])
        if let failure = pending.failure {
            if await executor.fail(recorded, failure) == .writePending {
                await scheduler.writePending(recorded.id)
            }
        }
        return true
    }

    /// Tries again the claims the journal refused whose wait is over.
    private func retryUnjournaled() async {
        let now = clock.now
        let due = unjournaled.filter { $0.due <= now }
        guard !due.isEmpty else { return }
        unjournaled.removeAll { $0.due <= now }
        var recorded = 0
        for pending in due where await record(pending) {
            recorded += 1
        }
        if recorded > 0 { scheduler.wake() }
    }

    private func claimOrphan(_ orphan: OrphanFiles, inbox: Inbox) async {
        let claimer = inbox.claimer
        let result: ClaimResult
        do {
            result = try await executor.files.run { () throws(ClaimError) -> ClaimResult in try claimer.claim(orphan) }
        } catch {
            // Left to the next rescan, which tries again: at once would repeat the error at every settle time.
            logger.error(
                "an orphan could not be claimed; its files stay in the inbox until the next rescan",
                metadata: ["inbox": "\(inbox.configuration.name)", "job": "\(orphan.stem)", "error": "\(error)"]
            )
            return
        }
        guard case .claimed(let files) = result else {
            // A file changed since it was judged (a face still being written through a descriptor held open, which
            // sends no event until it is closed) or went away: the tracker gave these files up when it judged
            // them, so it must look at what is there again, or a half pair would be forgotten until the next
            // rescan. A changed file starts its wait anew: it is not an orphan while it is being written.
            observeAgain(orphan.files.map(\.path), inbox: inbox)
            return
        }
        let paths = [files.facePath, files.sidecarPath, files.posePath].compactMap { $0 } + files.otherPaths
        guard let first = paths.first else { return }
        let claim = JobClaim(
            inbox: inbox.configuration.name,
            subpath: orphan.subpath,
            name: orphan.stem,
            claimedPath: files.folder,
            facePath: first,
            sidecarPath: paths.count > 1 ? paths[1] : nil,
            posePath: paths.count > 2 ? paths[2] : nil,
            droppedAt: orphan.droppedAt,
            readyAt: Date()
        )
        let failure = JobFailure(
            stage: .validate,
            code: "orphan",
            message: orphan.reason,
            hint: "Drop the face image and its <stem>.json sidecar together in the same folder, with the same stem."
        )
        _ = await record(PendingClaim(claim: claim, outbox: inbox.configuration.outbox, failure: failure, due: clock.now))
    }

    /// Expands a batch ticket into plain drops (``VariationExpander``); one that cannot be read goes to `failed/` with
    /// the reason, and one whose files could not be written waits for the next rescan.
    private func take(_ ticket: ReadyTicket, inbox: Inbox) async {
        let expander = VariationExpander(journal: journal, files: executor.files, logger: logger)
        switch await expander.expand(ticket, inbox: inbox.configuration) {
        case .expanded:
            return
        case .postponed(let reason):
            logger.warning("a batch ticket waits for the next rescan", metadata: ["ticket": "\(ticket.file.path)", "reason": "\(reason)"])
        case .invalid(let reason):
            let input = JobInput(
                name: ticket.stem,
                inbox: inbox.configuration.name,
                subpath: ticket.subpath,
                facePath: ticket.file.path,
                sidecarPath: nil,
                droppedAt: ticket.droppedAt,
                sourcePath: ticket.file.path,
                claimID: "ticket-\(ticket.file.inode)-\(ticket.file.modified)"
            )
            let failure = JobFailure(
                stage: .validate,
                code: "invalid_ticket",
                message: reason,
                hint:
                    "A batch ticket is {\"defaults\": {…}, \"jobs\": [{\"face\": \"anna.jpg\", …}, …]} (.batch.json) or a CSV with a face column (.batch.csv)."
            )
            let record = JobDelivery.errorRecord(input, failure: failure, model: nil, requestID: nil)
            let outbox = OutboxFolders(root: inbox.configuration.outbox)
            let root = inbox.configuration.path
            do {
                let folder = try await executor.files.run { () throws(JobFailure) -> String in
                    let folder = try JobDelivery(outbox: outbox).deliverRecord(input, record: record, outcome: .failed)
                    try? Folder.open(root).remove(ticket.file.path)
                    return folder
                }
                logger.warning("a batch ticket cannot be read", metadata: ["ticket": "\(ticket.file.path)", "reason": "\(reason)", "folder": "\(folder)"])
            } catch {
                logger.error(
                    "a batch ticket could not be moved to failed/; it waits for the next rescan",
                    metadata: ["ticket": "\(ticket.file.path)", "error": "\(error)"]
                )
            }
        }
    }

    /// Gives files the tracker handed over, and that were not claimed after all, back to it as they are now.
    private func observeAgain(_ paths: [String], inbox: Inbox) {
        for path in paths {
            if let snapshot = FileSnapshot.lstat(path) {
                inboxes[inbox.configuration.name]?.tracker.observe(snapshot, at: clock.now)
            }
        }
    }

    private func scan(folder: String) {
        guard let name = inboxName(containing: folder) ?? inboxes.first(where: { $0.value.configuration.path == folder })?.key else { return }
        let scan = FolderScanner.scan(folder)
        inboxes[name]?.tracker.reconcile(scan.files.map(Self.snapshot), under: folder, at: clock.now)
    }

    /// Logs each problem (an unreadable folder, a name that is not UTF-8) once while it lasts, not at every scan
    /// and every event: the second time it is already known. A complete scan forgets the problems it no longer
    /// finds, so one that comes back is reported again.
    private func report(_ problems: [String], inbox name: String, completeScan: Bool) {
        var known = reportedProblems[name] ?? []
        for problem in problems where known.insert(problem).inserted {
            logger.warning("a file or folder in the inbox cannot be taken", metadata: ["inbox": "\(name)", "problem": "\(problem)"])
        }
        if completeScan { known.formIntersection(problems) }
        reportedProblems[name] = known.count > 10_000 ? Set(problems) : known
    }

    private func degrade(folder: String, kind: String, message: String) {
        guard let name = inboxName(containing: folder) ?? inboxes.first(where: { $0.value.configuration.path == folder })?.key,
            var inbox = inboxes[name]
        else { return }
        inbox.degraded = true
        inbox.nextScan = min(inbox.nextScan, clock.now + inbox.rescanInterval)
        inboxes[name] = inbox
        logger.error("\(message)")
        guard warnedFolders.insert(kind).inserted else { return }
        let outbox = OutboxFolders(root: inbox.configuration.outbox)
        let warning: JSONValue = [
            "kind": .string(kind), "inbox": .string(name), "folder": .string(folder), "message": .string(message),
            "time": .string(Date().formatted(.iso8601)),
        ]
        do {
            try outbox.writeWarning(warning, kind: kind)
        } catch {
            logger.error("a warning could not be written", metadata: ["folder": "\(outbox.warnings)", "error": "\(error)"])
        }
    }

    /// Notes whether the inbox's `PAUSE` file exists; on a change, logs it and lets the scheduler look again (the
    /// executor checks the file itself before each submit, so this only has to be timely, not exact).
    private func refreshPause(_ name: String) {
        guard let inbox = inboxes[name] else { return }
        let paused = InboxPause.isPaused(inbox.configuration)
        guard paused != inbox.paused else { return }
        inboxes[name]?.paused = paused
        if paused {
            logger.notice("inbox paused by its PAUSE file: its jobs wait, unsent; jobs already at Segmind finish", metadata: ["inbox": "\(name)"])
        } else {
            logger.notice("inbox resumed: its queued jobs are sent again", metadata: ["inbox": "\(name)"])
        }
        scheduler.wake()
    }

    private func inboxName(containing path: String) -> String? {
        inboxes.first { path.hasPrefix($0.value.configuration.path + "/") }?.key
    }

    private static func rules(_ configuration: InboxConfiguration) -> InboxRules {
        InboxRules(
            settle: configuration.settle,
            orphanAfter: configuration.orphanAfter,
            sidecarRequired: configuration.sidecar == .required,
            maxSidecarBytes: 256 << 10
        )
    }

    private static func snapshot(_ file: ScannedFile) -> FileSnapshot {
        FileSnapshot(path: file.path, size: file.size, modified: file.modified, changed: file.changed, inode: file.inode, isRegular: file.kind == .regular)
    }

    /// A sidecar's `facedrop.priority`, bounded; 0 without one.
    static func priority(in sidecar: [String: JSONValue]?) -> Int {
        sidecar?["facedrop"]?["priority"]?.doubleValue.map { Int(max(-1_000_000, min(1_000_000, $0))) } ?? 0
    }

    static func readSidecar(_ path: String) -> [String: JSONValue]? {
        guard let bytes = try? InputFile.readDropped(path, maxBytes: 256 << 10) else { return nil }
        return (try? JSONParser().parse(bytes))?.objectValue
    }
}
