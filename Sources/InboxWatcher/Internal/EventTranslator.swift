/// What the watcher thread does for one event; produced by ``EventTranslator``, carried out by
/// ``WatchLoop``. Keeping the decision pure lets tests check it without a kernel.
enum WatchAction: Sendable, Equatable {
    /// Hand an event to the consumer.
    case emit(WatchEvent)
    /// Walk a new folder, watch it and its subfolders, then emit `.folderAdded`.
    case watchFolder(String)
    /// Forget a folder and everything below it; `removeWatches` when the kernel watches are still alive
    /// (a folder moved away keeps its watches and would report under its old path).
    case forgetTree(String, removeWatches: Bool)
    /// Forget one wd the kernel has dropped.
    case forgetWatch(Int32)
    /// Events were lost: re-walk every root so missed folders get watches and dead ones are dropped.
    case rewatchEverything
    /// The wake folder's watch is gone; `stop()` can no longer wake the thread until it is re-added.
    case rewatchWakeFolder
    /// An entry name that is not valid UTF-8 was skipped (the scanner reports it to the consumer).
    case skipUndecodableName(folder: String, name: String)
}

/// Turns one inotify event into the watcher's actions, given the current wd ↔ path map.
enum EventTranslator {
    static func actions(for event: RawEvent, in table: WatchTable) -> [WatchAction] {
        let mask = event.mask
        if mask.contains(.queueOverflow) {
            return [.rewatchEverything, .emit(.overflow)]
        }
        if event.wd == table.wakeWd {
            if mask.contains(.ignored) { return [.rewatchWakeFolder] }
            // A command's request file (see ``InotifyWatcher/sendRequest(wakeFolder:)``); the watcher's own is `wake`.
            if mask.contains(.create), String(validating: event.name, as: UTF8.self)?.hasPrefix(InotifyWatcher.requestFilePrefix) == true {
                return [.emit(.requested)]
            }
            return []
        }
        // A wd already forgotten: a folder moved away or deleted whose last events are still queued.
        guard let folder = table.path(of: event.wd) else { return [] }
        if mask.contains(.ignored) {
            return [.forgetWatch(event.wd)]
        }
        if event.name.isEmpty {
            return selfActions(mask: mask, wd: event.wd, folder: folder, table: table)
        }
        guard let name = String(validating: event.name, as: UTF8.self) else {
            return [.skipUndecodableName(folder: folder, name: PathName.displayName(event.name))]
        }
        if DropNames.isIgnored(name) { return [] }
        let path = PathName.join(folder, name)
        if mask.contains(.isDirectory) {
            return folderActions(mask: mask, path: path)
        }
        if !mask.isDisjoint(with: [.delete, .movedFrom]) {
            return [.emit(.removed(path: path))]
        }
        if !mask.isDisjoint(with: [.create, .closeWrite, .movedTo, .attributes]) {
            return [.emit(.changed(path: path))]
        }
        return []
    }

    /// An event about a subfolder, reported by its parent's watch.
    private static func folderActions(mask: InotifyMask, path: String) -> [WatchAction] {
        if !mask.isDisjoint(with: [.create, .movedTo]) {
            return [.watchFolder(path)]
        }
        if mask.contains(.movedFrom) {
            return [.forgetTree(path, removeWatches: true), .emit(.folderRemoved(path: path))]
        }
        if mask.contains(.delete) {
            return [.forgetTree(path, removeWatches: false), .emit(.folderRemoved(path: path))]
        }
        return []
    }

    /// An event about a watched folder itself. Only a root needs one: a subfolder's departure is reported
    /// by its parent, whose event arrives first.
    private static func selfActions(mask: InotifyMask, wd: Int32, folder: String, table: WatchTable) -> [WatchAction] {
        let gone = mask.contains(.deleteSelf) || mask.contains(.unmount)
        if table.isRoot(folder), gone || mask.contains(.moveSelf) {
            return [.forgetTree(folder, removeWatches: !gone), .emit(.folderRemoved(path: folder))]
        }
        return gone ? [.forgetWatch(wd)] : []
    }
}
