import InboxWatcher
import Synchronization

/// Consumes a watcher's stream the way the daemon does: every event is kept, and each `.folderAdded`
/// triggers a scan of that folder, whose files count as found too.
final class EventRecorder: Sendable {
    private struct Seen: Sendable {
        var events: [WatchEvent] = []
        var found: Set<String> = []
        var finished = false
    }

    private let seen = Mutex(Seen())

    init(_ stream: AsyncStream<WatchEvent>) {
        // The task keeps the recorder until the stream finishes, which `stop()` guarantees.
        Task { [self] in
            for await event in stream { record(event) }
            seen.withLock { $0.finished = true }
        }
    }

    private func record(_ event: WatchEvent) {
        var scanned: [String] = []
        if case .folderAdded(let folder) = event {
            scanned = FolderScanner.scan(folder).files.map(\.path)
        }
        seen.withLock { seen in
            seen.events.append(event)
            seen.found.formUnion(scanned)
            if case .changed(let path) = event { seen.found.insert(path) }
        }
    }

    var events: [WatchEvent] { seen.withLock { $0.events } }
    var isFinished: Bool { seen.withLock { $0.finished } }

    func saw(_ event: WatchEvent) -> Bool { events.contains(event) }

    /// True when `path` came as `.changed` or was found by a scan after `.folderAdded`.
    func found(_ path: String) -> Bool { seen.withLock { $0.found.contains(path) } }

    /// Every path of a `.changed` event.
    var changedPaths: [String] {
        events.compactMap { if case .changed(let path) = $0 { path } else { nil } }
    }
}
