import FileSystem
import Logging

/// The watcher thread: the only code that calls libinotifytools.
///
/// It initialises the library, then blocks in `inotifytools_next_events(timeout, 1)`; after every
/// return (an event, a wake-up, a timeout) it drains the request queue. Every event is copied into
/// Swift values at once, translated with its own wd ↔ path map, and the resulting actions (watch a new
/// folder, forget a tree, emit) are carried out here, so watches are in place before a consumer hears
/// of a new folder.
final class WatchLoop {
    /// The mask of every inbox folder's watch.
    static let folderMask: InotifyMask = [
        .closeWrite, .movedTo, .movedFrom, .create, .delete, .attributes, .deleteSelf, .moveSelf,
        .onlyDirectory, .dontFollow, .excludeUnlinked,
    ]
    /// The wake folder needs only the events its wake file causes.
    static let wakeMask: InotifyMask = [.create, .closeWrite, .delete, .onlyDirectory]
    /// Idle wake-ups stay rare (one an hour); `stop()` and requests wake the thread through the wake folder.
    static let idleTimeoutSeconds = 3600

    private let core: WatcherCore
    private var logger: Logger { core.logger }
    private var table = WatchTable()
    /// The library's inotify fd, to read back wds (see ``Inotify/watch(_:mask:descriptor:)``).
    private var descriptor: Int32?
    /// Folders already reported with `.watchLimitReached` or `.watchFailed`, so each is reported once.
    private var reported: Set<String> = []

    init(core: WatcherCore) {
        self.core = core
    }

    /// Runs the thread to its end. `started` is called once: with nil when events flow, or with the error
    /// that kept the library from starting (the thread has then already cleaned up).
    func run(started: (WatcherError?) -> Void) {
        if let error = start() {
            core.markStopped()
            core.continuation.finish()
            WatcherRegistry.release(core.generation)
            started(error)
            return
        }
        started(nil)
        loop()
        shutDown()
    }

    // MARK: Start and stop

    private func start() -> WatcherError? {
        let before = InotifyDescriptors.current()
        if let code = Inotify.initialize() {
            return WatcherError(.initializationFailed, "cannot initialise inotify: \(Errno(code))")
        }
        let created = InotifyDescriptors.current().subtracting(before)
        if let high = created.first(where: { $0 >= InotifyDescriptors.selectLimit }) {
            Inotify.cleanup()
            return WatcherError(
                .descriptorTooHigh,
                "the inotify descriptor is \(high), but libinotifytools' select() aborts the process above "
                    + "\(InotifyDescriptors.selectLimit - 1); create the watcher first thing at startup"
            )
        }
        for fd in created {
            if case .failure(let error) = InotifyDescriptors.setCloseOnExec(fd) {
                logger.warning("cannot set FD_CLOEXEC on the inotify descriptor", metadata: ["fd": "\(fd)", "error": "\(error)"])
            }
        }
        // Another inotify instance opened by another thread at the same moment would make this ambiguous.
        descriptor = created.count == 1 ? created.first : nil
        if created.isEmpty {
            logger.warning("cannot find the inotify descriptor in /proc/self/fd; it may leak into child processes")
        }
        if let problem = watchWakeFolder() {
            Inotify.cleanup()
            return WatcherError(.wakeFolderUnusable, "cannot use the wake folder \(core.wakeFolder): \(problem)")
        }
        logLimits()
        return nil
    }

    /// Creates the wake folder if needed and watches it. Returns the problem, or nil.
    private func watchWakeFolder() -> Errno? {
        if case .failure(let error) = FileSystem.makeFolders(core.wakeFolder) { return error }
        switch Inotify.watch(core.wakeFolder, mask: Self.wakeMask, descriptor: descriptor) {
        case .watched(let wd):
            table.wakeWd = wd
            return nil
        case .failed(let code):
            table.wakeWd = nil
            return Errno(code)
        }
    }

    private func logLimits() {
        var metadata: Logger.Metadata = [:]
        for name in ["max_user_watches", "max_user_instances", "max_queued_events"] {
            metadata[name] = "\(FileSystem.readSetting("/proc/sys/fs/inotify/\(name)") ?? "unknown")"
        }
        logger.info("inotify started", metadata: metadata)
    }

    private func shutDown() {
        // libinotifytools keeps unread events of its last read() in a static buffer that survives
        // cleanup; drain it so a later watcher does not start with this one's leftovers.
        for _ in 0..<100_000 {
            guard case .event = Inotify.nextEvent(timeoutSeconds: 0) else { break }
        }
        Inotify.cleanup()
        core.watchCount = 0
        core.continuation.finish()
        WatcherRegistry.release(core.generation)
        logger.debug("inotify stopped")
    }

    // MARK: The loop

    private func loop() {
        var failures = 0
        while true {
            let (requests, stopping) = core.takeRequests()
            if stopping { return }
            for request in requests { handle(request) }
            switch Inotify.nextEvent(timeoutSeconds: Self.idleTimeoutSeconds) {
            case .event(let event):
                failures = 0
                for action in EventTranslator.actions(for: event, in: table) { perform(action) }
            case .timeout, .interrupted:
                break
            case .failed(let code):
                failures += 1
                if failures == 1 || failures.isMultiple(of: 100) {
                    logger.error("reading inotify events failed", metadata: ["error": "\(Errno(code))", "times": "\(failures)"])
                }
                // Not a hot loop, and short enough that stop() still ends the thread promptly.
                FileSystem.sleep(milliseconds: min(1000, 50 * failures))
            }
            core.watchCount = table.count
        }
    }

    private func handle(_ request: WatcherCore.Request) {
        switch request {
        case .watch(let root):
            // An explicit request always gets an answer, even for a root reported before.
            reported.remove(root)
            table.addRoot(root)
            if let error = watchTree(root, isRoot: true) {
                report(root, error)
            } else {
                emit(.folderAdded(path: root))
            }
        case .unwatch(let root):
            table.removeRoot(root)
            for wd in table.wds(inside: root) {
                guard let path = table.path(of: wd), !table.isCovered(path) else { continue }
                Inotify.removeWatch(wd)
                table.forget(wd: wd)
            }
            reported = reported.filter { !PathName.isInside($0, root) || table.isCovered($0) }
        case .inject(let event):
            for action in EventTranslator.actions(for: event, in: table) { perform(action) }
        }
        core.watchCount = table.count
    }

    private func perform(_ action: WatchAction) {
        switch action {
        case .emit(let event):
            emit(event)
        case .watchFolder(let folder):
            // A folder that vanished before its watch needs no scan; anything else does, even when part
            // of its tree could not be watched (that was reported first).
            if watchTree(folder, isRoot: false) == nil { emit(.folderAdded(path: folder)) }
        case .forgetTree(let folder, let removeWatches):
            for wd in table.forgetTree(folder) where removeWatches { Inotify.removeWatch(wd) }
            reported = reported.filter { !PathName.isInside($0, folder) }
        case .forgetWatch(let wd):
            table.forget(wd: wd)
        case .rewatchEverything:
            rewatchEverything()
        case .rewatchWakeFolder:
            if let problem = watchWakeFolder() {
                logger.error(
                    "the wake folder's watch is gone and cannot be re-added; stop() and new watches take up to a minute",
                    metadata: ["folder": "\(core.wakeFolder)", "error": "\(problem)"]
                )
            }
        case .skipUndecodableName(let folder, let name):
            emit(.undecodableName(problem: FolderScan.undecodableName(name, in: folder)))
        }
    }

    private func emit(_ event: WatchEvent) {
        logger.trace("watch event", metadata: ["event": "\(event)"])
        core.continuation.yield(event)
    }

    // MARK: Watching trees

    /// Watches `top` and every folder below it (skipping ignored names and symlinked folders), each folder
    /// before listing it, so a subfolder created meanwhile still causes an event. Returns the error when
    /// `top` itself is gone or is not a folder; other failures are reported per folder.
    private func watchTree(_ top: String, isRoot: Bool) -> Errno? {
        var pending = [top]
        while let folder = pending.popLast() {
            // A root may be a symlink to the inbox; inside the tree links are never followed.
            let mask = isRoot && folder == top ? Self.folderMask.subtracting(.dontFollow) : Self.folderMask
            switch Inotify.watch(folder, mask: mask, descriptor: descriptor) {
            case .watched(let wd):
                table.record(wd, path: folder)
                reported.remove(folder)
            case .failed(let code):
                let error = Errno(code)
                // Gone, or replaced by a file or a link, since it was listed.
                if error == .noSuchFile || error == .notFolder {
                    if folder == top { return error }
                    continue
                }
                report(folder, error)
                continue
            }
            pending.append(contentsOf: subfolders(of: folder))
        }
        return nil
    }

    private func subfolders(of folder: String) -> [String] {
        let entries: [FileSystem.Entry]
        switch FileSystem.list(folder) {
        case .success(let list):
            entries = list
        case .failure(let error):
            if error != .noSuchFile {
                logger.warning("cannot list a watched folder", metadata: ["folder": "\(folder)", "error": "\(error)"])
            }
            return []
        }
        var found: [String] = []
        for entry in entries {
            guard let name = entry.name else {
                perform(.skipUndecodableName(folder: folder, name: entry.displayName))
                continue
            }
            let path = PathName.join(folder, name)
            guard !DropNames.isIgnored(name), path != core.wakeFolder else { continue }
            let kind = entry.kind ?? (try? FileSystem.status(path).get())?.kind
            if kind == .directory { found.append(path) }
        }
        return found
    }

    /// After lost events: re-walk every root, so folders created meanwhile get watches, then drop the
    /// watches of folders that are no longer in any tree.
    private func rewatchEverything() {
        let before = Set(table.allWds)
        table.forgetAllWatches()
        for root in table.roots {
            if let error = watchTree(root, isRoot: true) { report(root, error) }
        }
        for wd in before.subtracting(table.allWds) { Inotify.removeWatch(wd) }
        logger.warning("inotify queue overflowed; events were lost, all trees re-watched", metadata: ["watches": "\(table.count)"])
    }

    /// Tells the consumer, once per folder, that a folder is not watched.
    private func report(_ folder: String, _ error: Errno) {
        guard reported.insert(folder).inserted else { return }
        if error == .noSpace {
            logger.warning(
                "inotify watch limit reached; the folder is left to periodic scanning. Raise /proc/sys/fs/inotify/max_user_watches (sysctl fs.inotify.max_user_watches)",
                metadata: [
                    "folder": "\(folder)",
                    "max_user_watches": "\(FileSystem.readSetting("/proc/sys/fs/inotify/max_user_watches") ?? "unknown")",
                ]
            )
            emit(.watchLimitReached(folder: folder))
        } else {
            logger.warning("cannot watch a folder", metadata: ["folder": "\(folder)", "error": "\(error)"])
            emit(.watchFailed(folder: folder, reason: error.description))
        }
    }
}
