import DedicatedThreads
package import Logging

/// Watches inbox trees with inotify (through libinotifytools) and reports what changed as ``WatchEvent``s.
///
/// libinotifytools keeps all of its state in process-wide statics and blocks in `select()`, so the watcher
/// fences it off: one dedicated thread makes every library call, from `inotifytools_initialize` to
/// `inotifytools_cleanup`; callers only queue requests and wake that thread by touching a file in a
/// private wake folder, which lets it sleep with a long timeout instead of polling. Only one watcher may
/// run per process; another can start after `stop()`.
///
/// ```swift
/// let watcher = try await InotifyWatcher(wakeFolder: "/var/lib/facedrop/wake")
/// watcher.watch(tree: "/srv/inbox")
/// for await event in watcher.events { ... }   // .folderAdded("/srv/inbox") once its watches are in place
/// ```
package final class InotifyWatcher: Sendable {
    /// The events, in the order inotify reported them; nothing is coalesced. Single consumer. The stream
    /// finishes after ``stop()``.
    package let events: AsyncStream<WatchEvent>
    private let core: WatcherCore

    /// Initialises libinotifytools on its own dedicated thread immediately, and returns once it is ready.
    /// The caller's task suspends meanwhile (and while a stopped watcher finishes its cleanup); it never
    /// blocks a thread of Swift's cooperative pool, which at start-up has other work to do.
    ///
    /// Create it first thing at start, so the inotify descriptor stays below 1024 (libinotifytools'
    /// `select()` aborts the process above that; the watcher refuses to start instead). The descriptor is
    /// made close-on-exec so it does not leak into child processes, and the kernel's inotify limits are
    /// logged.
    ///
    /// - Parameter wakeFolder: a private folder (for example in the daemon's state folder), created if
    ///   missing and watched too, so ``stop()`` and new requests wake the blocking read by creating a file
    ///   there. Its events are never reported.
    package init(wakeFolder: String, logger: Logger = Logger(label: "facedrop.watcher")) async throws(WatcherError) {
        let generation = try await WatcherRegistry.claim()
        let (stream, continuation) = AsyncStream.makeStream(of: WatchEvent.self, bufferingPolicy: .unbounded)
        let core = WatcherCore(
            generation: generation,
            wakeFolder: PathName.normalized(wakeFolder),
            logger: logger,
            continuation: continuation
        )
        let failure: WatcherError? = await withCheckedContinuation { continuation in
            DedicatedThread.start(name: "facedrop-watch") {
                WatchLoop(core: core).run { error in continuation.resume(returning: error) }
            }
        }
        if let failure { throw failure }
        self.core = core
        self.events = stream
    }

    deinit {
        core.requestStop()
    }

    /// Watches `root` and every folder below it, and new subfolders as they appear. Skips dot-folders
    /// (which includes facedrop's `.facedrop` working folder), other ignored names (``DropNames``) and
    /// symlinked folders; `root` itself may be a symlink. Returns at once; when the watches are in place
    /// the stream carries `.folderAdded(root)`, or `.watchFailed(root, ...)` when `root` cannot be watched.
    package func watch(tree root: String) {
        core.submit(.watch(PathName.normalized(root)))
    }

    /// Stops watching `root`'s tree (folders that also belong to another watched tree stay watched).
    package func unwatch(tree root: String) {
        core.submit(.unwatch(PathName.normalized(root)))
    }

    /// Wakes and ends the thread, which cleans up libinotifytools and finishes ``events``. Returns at
    /// once; idempotent. A new watcher may be created right away (it waits for the cleanup).
    /// How a request file in the wake folder starts its name; the watcher's own wake file is named `wake`.
    static let requestFilePrefix = "request"

    /// Tells the daemon watching `wakeFolder` (its state folder's `wake/`) to look at its journal again, from
    /// another process: a file made and removed there is an inotify event the daemon receives as
    /// ``WatchEvent/requested``. Nothing happens when no daemon runs; the journal is read at its next start anyway.
    package static func sendRequest(wakeFolder: String) throws(WatcherError) {
        let path = PathName.join(wakeFolder, "\(requestFilePrefix)-\(UInt64.random(in: 1...UInt64.max))")
        if case .failure(let error) = FileSystem.touchAndRemove(path) {
            throw WatcherError(.wakeFolderUnusable, "cannot make a request file in \(wakeFolder): \(error)")
        }
    }

    package func stop() {
        core.requestStop()
    }

    /// Makes the thread handle `event` as if inotify had reported it (tests cannot overflow the kernel queue).
    func inject(_ event: RawEvent) {
        core.submit(.inject(event))
    }

    /// How many inbox folders are watched (the wake folder not counted).
    package var watchCount: Int {
        core.watchCount
    }
}
