/// Why a hook did not run or did not succeed; each is logged and written to the outbox's `warnings/`.
package enum HookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The daemon runs as root and the inbox names no `hook_user`.
    case refusedAsRoot
    /// `hook_user` is not in the user database.
    case unknownUser(String)
    /// The command could not be started: the fork, the exec (a missing or non-executable program) or the
    /// switch to `hook_user` failed.
    case notStarted(program: String, reason: String)
    /// Waiting for the command failed.
    case waitFailed(reason: String)
    /// The job folder's `result.json` or `error.json` could not be read for the webhook.
    case bodyUnreadable(path: String, reason: String)

    package var description: String {
        switch self {
        case .refusedAsRoot:
            "refused: facedrop runs as root and the inbox sets no hook_user; hooks never run as root"
        case .unknownUser(let name):
            "hook_user \"\(name)\" is not a user on this machine"
        case .notStarted(let program, let reason):
            "\(program) could not be started: \(reason)"
        case .waitFailed(let reason):
            "waiting for the command failed: \(reason)"
        case .bodyUnreadable(let path, let reason):
            "\(path) could not be read for the webhook: \(reason)"
        }
    }
}
