/// What the watcher saw; events are only hints to look again.
///
/// inotify misses changes (network file systems, queue overflows, folders created faster than their
/// watches), so the consumer treats every event as "look at this path now" and keeps scanning with
/// ``FolderScanner``; nothing here says a file is complete.
package enum WatchEvent: Sendable, Equatable {
    /// A file was created, closed after writing, moved in, hard-linked, or its attributes changed.
    case changed(path: String)
    /// A file was deleted or moved out.
    case removed(path: String)
    /// A folder is now watched, with its subfolders as far as watches could be added (a folder that could
    /// not be watched was reported just before with `.watchLimitReached` or `.watchFailed`). The consumer
    /// scans it NOW: it may already hold files that arrived before the watches. Sent for every new
    /// subfolder (created or moved in) and once for each root after ``InotifyWatcher/watch(tree:)``.
    case folderAdded(path: String)
    /// A watched folder was deleted or moved out.
    case folderRemoved(path: String)
    /// The kernel's event queue overflowed (IN_Q_OVERFLOW): events were lost, the consumer rescans
    /// everything. The watcher has already re-walked every tree to watch folders it missed.
    case overflow
    /// Adding a watch failed with ENOSPC (`max_user_watches` is exhausted): the consumer keeps this
    /// folder, with its subfolders, on periodic scanning.
    case watchLimitReached(folder: String)
    /// Adding a watch failed for another reason (EACCES, ...); the folder and its subfolders are unwatched.
    case watchFailed(folder: String, reason: String)
    /// An event named a file whose name is not valid UTF-8: it is not reported as `.changed` (the daemon could
    /// not name it again), only this once per event, for the consumer to tell the user. `problem` is the same
    /// sentence ``FolderScanner`` reports for it, so one report can stand for both.
    case undecodableName(problem: String)
    /// A command (`facedrop cancel`) changed the journal and asks the daemon to look at it again: it made a file
    /// named `request…` in the watcher's wake folder (``InotifyWatcher/sendRequest(wakeFolder:)``).
    case requested
}
