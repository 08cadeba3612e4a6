/// How a hook command ended.
package struct HookCommandResult: Sendable, Equatable {
    package enum Ending: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal ended it (not facedrop's timeout).
        case signaled(Int32)
        /// It ran past the timeout; its process group got SIGTERM (and SIGKILL after the grace time).
        case timedOut
        /// The daemon stopped while it ran; its process group got SIGTERM, and it runs again at the next start.
        case interrupted
    }

    package var ending: Ending
    /// What it wrote to stdout and stderr, up to the captured limit.
    package var output: String
    /// Bytes written past the captured limit, read and dropped.
    package var droppedBytes: Int

    /// Whether the command ran to a zero exit.
    package var succeeded: Bool { ending == .exited(0) }

    /// The outcome as the journal records it: `exit 0`, `killed by signal 9`, `timed out`.
    package var outcome: String {
        switch ending {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .timedOut: "timed out"
        case .interrupted: "interrupted"
        }
    }
}
