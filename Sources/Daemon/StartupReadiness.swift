import InboxWatcher
import Synchronization

/// Decides when start-up is over, so `READY=1` means what systemd users expect: the journal has been
/// recovered, and every inbox root has been answered by the watcher (watched and scanned, or reported as
/// unwatchable and left to periodic rescans).
///
/// `systemctl start` returns at READY; a script that drops files right after it must find them watched.
final class StartupReadiness: Sendable {
    private struct State {
        var pendingRoots: Set<String> = []
        var recovered = false
        var announced = false
    }

    private let state = Mutex(State())
    private let announce: @Sendable () -> Void

    init(announce: @escaping @Sendable () -> Void) {
        self.announce = announce
    }

    /// Whether start-up is over and `announce` has run.
    var isAnnounced: Bool { state.withLock { $0.announced } }

    /// The inbox roots the watcher is about to be asked for; called before the first of them is watched.
    func expect(roots: some Sequence<String>) {
        update { $0.pendingRoots.formUnion(roots) }
    }

    /// The journal's leftovers are settled.
    func recovered() {
        update { $0.recovered = true }
    }

    /// A watcher event, once the intake has handled it (a `folderAdded` root has been scanned by then).
    func handled(_ event: WatchEvent) {
        switch event {
        case .folderAdded(let path), .watchFailed(let path, _), .watchLimitReached(let path):
            update { $0.pendingRoots.remove(path) }
        default:
            return
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let announceNow = state.withLock { state -> Bool in
            change(&state)
            guard !state.announced, state.recovered, state.pendingRoots.isEmpty else { return false }
            state.announced = true
            return true
        }
        if announceNow { announce() }
    }
}
