import DaemonConfiguration
import DedicatedThreads
import FileSystem
import Foundation
import HotFolder
import InboxWatcher
import Journal
import Logging
import Outbox
import Scheduling
import StrictJSON
import Synchronization

/// Queues jobs again from `<outbox>/retry/`: a `failed/` or `cancelled/` job folder moved there (by hand or by
/// `facedrop retry`) has its inputs put back into its inbox, where they are claimed as a new attempt of the job.
///
/// The retry is journaled before any file moves (``JobJournal/registerRetry(_:)``), so the claim of the files
/// carries the attempt number and the earlier attempt's record, and a retry folder found again after a crash is
/// recognised by the earlier attempt's claim ID instead of queuing the job twice. Files are copied back (the outbox
/// may be on another file system than the inbox) under a hidden name and renamed into place, the sidecar last;
/// the retry folder is removed once they are all there. A job whose submit may have been billed
/// (`outcome_unknown`) is only retried when the folder holds a `MAY-PAY-TWICE` file; otherwise it goes back to
/// `failed/` with a warning.
///
/// Several hosts of a share may see one retry folder. A host takes a job folder by renaming it into a hidden folder
/// of its own, `retry/.taking-<host tag>/`, before reading it: the rename succeeds for one host only, so the job is
/// queued once, and a host that stops halfway finds the folder there at its next scan.
actor RetryIntake {
    /// How long a retry folder's content must be left alone before it is taken (a folder copied in, not moved).
    static let settle: Duration = .seconds(1)
    /// How often the retry folders are scanned for what inotify missed, with no inbox configured: the inboxes'
    /// own `rescan_interval` sets it otherwise (see ``configure(_:)``).
    static let defaultRescanInterval: Duration = InboxConfiguration.localRescanInterval
    /// How soon a removed retry folder is made again (and watched): once whatever removed it is likely done.
    static let lostRootRecheck: Duration = .seconds(1)

    private let journal: JobJournal
    private let files: FileWorkPool
    /// The hidden folder, in each retry folder, that holds the job folders this host is taking.
    private let takingName: String
    private let logger: Logger
    private let clock: ElapsedClock
    private let doorbell: Doorbell
    /// Watches a retry folder made again after it was removed (the watcher forgets a folder that is gone).
    private let rewatch: @Sendable (String) -> Void
    /// Retry folders removed since they were last made, to make again and watch at the next scan.
    private var lost: Set<String> = []
    /// The inboxes of the configuration in force.
    private var configurations: [InboxConfiguration] = []
    /// Retry folders (`<outbox>/retry`) and their outboxes; read by ``owns(_:)`` from the event loop.
    private let roots = Mutex<[String: OutboxFolders]>([:])
    /// Entries of the retry folders to look at, and when.
    private var due: [String: ElapsedClock.Instant] = [:]
    private var nextScan: ElapsedClock.Instant
    /// The shortest `rescan_interval` of the configured inboxes: a `failed/` folder moved into `retry/` from another
    /// host of a network share sends no inotify event, and is found no later than a drop into the inbox would be.
    private var rescanInterval = RetryIntake.defaultRescanInterval
    /// Problems already reported, by folder, so a folder left in place is not reported at every scan.
    private var reported: [String: String] = [:]

    init(
        journal: JobJournal,
        files: FileWorkPool,
        owner: String,
        logger: Logger,
        clock: some Clock<Duration> = TimerClock(),
        rewatch: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        let clock = ElapsedClock(clock)
        self.rewatch = rewatch
        self.clock = clock
        self.doorbell = Doorbell(clock: clock)
        self.nextScan = clock.now
        self.journal = journal
        self.files = files
        self.takingName = ".taking-\(JobClaimer.adopterTag(owner))"
        self.logger = logger
    }

    /// Follows a (re)loaded configuration; returns the retry folders to start and stop watching.
    func configure(_ inboxes: [InboxConfiguration]) -> (added: [String], removed: [String]) {
        configurations = inboxes
        rescanInterval = inboxes.map(\.rescanInterval).min() ?? Self.defaultRescanInterval
        let wanted = Dictionary(inboxes.map { (OutboxFolders(root: $0.outbox).retry, OutboxFolders(root: $0.outbox)) }, uniquingKeysWith: { first, _ in first })
        let old = roots.withLock { roots in
            let old = roots
            roots = wanted
            return old
        }
        for (root, outbox) in wanted { _ = try? outbox.makeFolder(root) }
        nextScan = clock.now
        doorbell.ring()
        return (Array(Set(wanted.keys).subtracting(old.keys)).sorted(), Array(Set(old.keys).subtracting(wanted.keys)).sorted())
    }

    /// Whether `path` is in a retry folder (or is one): its events are this intake's, not an inbox's.
    nonisolated func owns(_ path: String) -> Bool {
        roots.withLock { roots in roots.keys.contains { path == $0 || path.hasPrefix($0 + "/") } }
    }

    /// An event in a retry folder: the entry it concerns is looked at once it has been left alone for ``settle``.
    func handle(_ event: WatchEvent) {
        switch event {
        case .folderRemoved(let path) where roots.withLock({ $0[path] != nil }):
            // Removed (by hand, by a clean-up script): without it a job folder moved to `retry` would become the
            // folder itself, and nothing would be watched. It is made again and watched once the removal is done.
            lost.insert(path)
            nextScan = min(nextScan, clock.now + Self.lostRootRecheck)
        case .changed(let path), .removed(let path), .folderAdded(let path), .folderRemoved(let path):
            // A hidden entry is a host's folder being taken, or a file being copied in under a temporary name.
            if isHidden(path) { return }
            guard let entry = entry(containing: path) else {
                nextScan = clock.now
                doorbell.ring()
                return
            }
            due[entry] = clock.now + Self.settle
        case .overflow:
            nextScan = clock.now
        default:
            return
        }
        doorbell.ring()
    }

    func run() async {
        while !Task.isCancelled {
            if nextScan <= clock.now { scan() }
            let now = clock.now
            for (entry, when) in due where when <= now {
                due[entry] = nil
                await take(entry)
            }
            await doorbell.wait(until: ([nextScan] + due.values).min())
        }
    }

    // MARK: Implementation

    /// Every entry of every retry folder is looked at now; a retry folder that is gone is made again and watched.
    private func scan() {
        nextScan = clock.now + rescanInterval
        for (root, outbox) in roots.withLock({ $0 }) {
            guard let names = Files.names(in: root) else {
                restore(root, outbox: outbox)
                continue
            }
            if lost.remove(root) != nil {
                // Made again (by hand, say) before this scan: the watcher forgot it when it went.
                rewatch(root)
            }
            if Self.isJobFolder(root) {
                report(root, outbox: outbox, Self.movedAsRetry)
                continue
            }
            for name in names where !name.hasPrefix(".") {
                due["\(root)/\(name)"] = due["\(root)/\(name)"] ?? clock.now
            }
            // Folders this host had begun to take when it stopped.
            for name in Files.names(in: "\(root)/\(takingName)") ?? [] {
                due["\(root)/\(takingName)/\(name)"] = due["\(root)/\(takingName)/\(name)"] ?? clock.now
            }
        }
    }

    /// Makes a missing retry folder again and watches it; tried again at the next recheck when it cannot be made
    /// yet (its outbox is gone too, say).
    private func restore(_ root: String, outbox: OutboxFolders) {
        guard (try? outbox.makeFolder(root)) != nil else {
            lost.insert(root)
            nextScan = min(nextScan, clock.now + Self.lostRootRecheck * 10)
            return
        }
        lost.remove(root)
        logger.notice("the retry folder was removed; it is made again and watched", metadata: ["path": "\(root)"])
        rewatch(root)
    }

    /// Whether `path` is at or below a hidden entry of a retry folder.
    private func isHidden(_ path: String) -> Bool {
        roots.withLock { roots in
            roots.keys.contains { root in path.hasPrefix(root + "/") && path.utf8.dropFirst(root.utf8.count + 1).first == UInt8(ascii: ".") }
        }
    }

    /// `<retry>/<entry>` for a path at or below an entry of a retry folder.
    private func entry(containing path: String) -> String? {
        roots.withLock { roots in
            for root in roots.keys where path.hasPrefix(root + "/") {
                let name = path.dropFirst(root.count + 1).split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
                return name.isEmpty || name.hasPrefix(".") ? nil : "\(root)/\(name)"
            }
            return nil
        }
    }

    /// What a job folder renamed to `retry` is told: with no retry folder there (removed a moment before),
    /// `mv failed/<job> <outbox>/retry/` renames the job folder itself.
    static let movedAsRetry =
        "this is a job folder moved as retry/ itself rather than into it; move it back to failed/, then into the retry/ folder the daemon makes again"

    /// Whether `folder` is a job folder from `failed/` or `cancelled/`.
    static func isJobFolder(_ folder: String) -> Bool {
        Files.exists("\(folder)/error.json") || Files.exists("\(folder)/cancelled.json")
    }

    /// Takes `entry`, a job folder in a retry folder (or in this host's hidden folder there, begun before a stop).
    private func take(_ entry: String) async {
        guard let root = roots.withLock({ roots in roots.keys.first { entry.hasPrefix($0 + "/") } }),
            let outbox = roots.withLock({ $0[root] })
        else { return }
        // Its parts are not job folders: it is reported by the scan.
        if Self.isJobFolder(root) { return }
        let name = PathNames.last(entry)
        let folder = "\(root)/\(takingName)/\(name)"
        if entry != folder {
            guard case .some(.some(let status)) = try? Files.status(entry), status.kind == .directory else {
                if Files.exists(entry) { report(entry, outbox: outbox, "not a job folder: only a folder from failed/ or cancelled/ can be retried") }
                return
            }
            guard holdAside(name, in: root) else { return }
        }
        let record = (try? outbox.read("\(folder)/error.json", limit: 4 << 20)) ?? (try? outbox.read("\(folder)/cancelled.json", limit: 4 << 20))
        guard let record else {
            report(giveBack(name, in: root), outbox: outbox, RetryTicket.Problem.noRecord.description)
            return
        }
        let inboxes = Dictionary(
            configurations.filter { $0.outbox == outbox.root }.map { ($0.name, $0.path) },
            uniquingKeysWith: { first, _ in first }
        )
        let mayPayTwice = Files.exists("\(folder)/\(RetryTicket.mayPayTwiceFile)")
        let ticket: RetryTicket
        switch RetryTicket.read(record, inboxes: inboxes) {
        case .success(let read): ticket = read
        case .failure(let problem):
            report(giveBack(name, in: root), outbox: outbox, problem.description)
            return
        }
        if ticket.mayHaveBeenBilled, !mayPayTwice {
            refuse(folder, outbox: outbox, ticket: ticket)
            return
        }
        guard let inboxRoot = inboxes[ticket.inbox] else {
            _ = giveBack(name, in: root)
            return
        }
        let retry = PendingRetry(
            inbox: ticket.inbox,
            subpath: ticket.subpath,
            name: ticket.job,
            attempt: ticket.attempt + 1,
            previousError: ticket.record,
            retriedFrom: ticket.claimID
        )
        do {
            guard try await journal.registerRetry(retry) else {
                // The files were put back and claimed before a crash kept this folder: it is a leftover.
                try? Folder.open(outbox.root).removeTree(folder)
                logger.notice("removed a retry folder whose job was queued again already", metadata: ["folder": "\(folder)"])
                return
            }
        } catch {
            logger.error("a retry could not be journaled; it is tried again at the next scan", metadata: ["folder": "\(folder)", "error": "\(error)"])
            return
        }
        let destination = ticket.subpath.isEmpty ? inboxRoot : "\(inboxRoot)/\(ticket.subpath)"
        do {
            try await files.run { () throws(RetryError) in try Self.putBack(from: "\(folder)/input", outbox: outbox, to: destination, inboxRoot: inboxRoot) }
        } catch {
            try? await journal.forgetRetry(retriedFrom: ticket.claimID)
            report(giveBack(name, in: root), outbox: outbox, error.description)
            return
        }
        try? Folder.open(outbox.root).removeTree(folder)
        reported["\(root)/\(name)"] = nil
        logger.notice(
            "queued again from the retry folder",
            metadata: ["inbox": "\(ticket.inbox)", "job": "\(ticket.job)", "attempt": "\(retry.attempt)", "previous": "\(ticket.code)"]
        )
        try? outbox.log([
            "event": "job_retried", "job": .string(ticket.job), "inbox": .string(ticket.inbox), "attempt": .integer(Int64(retry.attempt)),
            "previous_code": .string(ticket.code),
        ])
    }

    /// Renames `<root>/<name>` into this host's hidden folder; false when it is gone (another host of the share took
    /// it first) or cannot be moved (reported).
    private func holdAside(_ name: String, in root: String) -> Bool {
        do throws(FileSystemError) {
            let folder = try Folder.open(root)
            _ = try folder.makeFolder(takingName, mode: .sharedFolder)
            if try folder.move(name, to: "\(takingName)/\(name)", replacing: false) { return true }
            // A folder of that name is held already: taken before a stop and moved in again meanwhile. That one
            // goes first; this one waits for the next scan.
            return false
        } catch {
            if Files.exists("\(root)/\(name)") {
                logger.warning("a folder in retry/ could not be set aside to be taken", metadata: ["folder": "\(root)/\(name)", "error": "\(error)"])
            } else {
                logger.debug("a folder in retry/ was taken by another host", metadata: ["folder": "\(root)/\(name)"])
            }
            return false
        }
    }

    /// Renames a held job folder that cannot be taken back to `<root>/<name>`, where its owner sees it next to the
    /// warning; returns where it is.
    private func giveBack(_ name: String, in root: String) -> String {
        let held = "\(root)/\(takingName)/\(name)"
        guard let folder = try? Folder.open(root), (try? folder.move("\(takingName)/\(name)", to: name, replacing: false)) == true else {
            return held
        }
        return "\(root)/\(name)"
    }

    /// Why files could not be put back into the inbox.
    struct RetryError: Error, CustomStringConvertible {
        var description: String
    }

    /// Copies every file of `input` back into `destination` (see ``InboxDrops``).
    private static func putBack(from input: String, outbox: OutboxFolders, to destination: String, inboxRoot: String) throws(RetryError) {
        var files: [(name: String, bytes: [UInt8])] = []
        do {
            let source = try Folder.open(outbox.root).folder(input)
            for name in try source.entries().filter({ $0.kind == .regular }).compactMap(\.name) {
                files.append((name, try source.read(name, limit: 64 << 20)))
            }
        } catch {
            throw RetryError(description: "its input/ folder cannot be read: \(error)")
        }
        guard !files.isEmpty else { throw RetryError(description: "its input/ folder holds no file") }
        do {
            try InboxDrops.place(files, in: destination, inboxRoot: inboxRoot)
        } catch {
            throw RetryError(description: "\(error); move it away, then move the folder into retry/ again")
        }
    }

    /// An `outcome_unknown` job without the allowance to pay twice: back to `failed/`, with a warning that says how.
    private func refuse(_ folder: String, outbox: OutboxFolders, ticket: RetryTicket) {
        let message = "\(ticket.job) was not retried: \(RetryTicket.Problem.mayPayTwice)"
        var back = folder
        do {
            back = try outbox.publish(folder: folder, outcome: .failed, subpath: ticket.subpath, job: PathNames.last(folder))
        } catch {
            logger.error("a refused retry folder could not be put back into failed/", metadata: ["folder": "\(folder)", "error": "\(error)"])
        }
        logger.warning("\(message)", metadata: ["folder": "\(back)"])
        _ = try? outbox.writeWarning(
            [
                "kind": "retry-refused", "job": .string(ticket.job), "folder": .string(back), "message": .string(message),
                "time": .string(Date().formatted(.iso8601)),
            ],
            kind: "retry-refused"
        )
    }

    /// Logs a retry folder's problem and writes a warning, once while it lasts.
    private func report(_ folder: String, outbox: OutboxFolders, _ problem: String) {
        guard reported[folder] != problem else { return }
        reported[folder] = problem
        logger.warning("a folder in retry/ cannot be taken", metadata: ["folder": "\(folder)", "problem": "\(problem)"])
        _ = try? outbox.writeWarning(
            ["kind": "retry-refused", "folder": .string(folder), "message": .string(problem), "time": .string(Date().formatted(.iso8601))],
            kind: "retry-refused"
        )
    }
}
