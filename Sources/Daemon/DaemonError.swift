/// Why the daemon cannot start or go on.
package enum DaemonError: Error, Sendable, CustomStringConvertible {
    /// Another facedrop holds the state folder's lock.
    case alreadyRunning(lock: String, holder: Int32?)
    /// The state folder cannot be created or written.
    case stateUnusable(path: String, reason: String)
    /// The journal cannot be opened or written.
    case journal(String)
    /// inotify could not be set up.
    case watcher(String)
    /// `FACEDROP_CRASH_POINT` names no crash point (see ``CrashPoints``).
    case crashPoint(String, known: [String])

    package var description: String {
        switch self {
        case .alreadyRunning(let lock, let holder):
            "another facedrop already uses this state folder (\(lock) is locked"
                + (holder.map { " by process \($0)" } ?? "") + "); run one daemon per state folder"
        case .stateUnusable(let path, let reason):
            "the state folder cannot be used: \(path): \(reason)"
        case .journal(let detail):
            "the job journal failed: \(detail)"
        case .watcher(let detail):
            "the inbox watcher cannot start: \(detail)"
        case .crashPoint(let value, let known):
            "FACEDROP_CRASH_POINT=\(value) is not <point>[:<n>] with n >= 1 and one of: \(known.joined(separator: ", "))"
        }
    }
}
