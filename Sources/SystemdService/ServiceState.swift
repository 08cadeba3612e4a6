/// One field of a message to the service manager, as `sd_notify(3)` defines it.
///
/// systemd 252 (Debian 12) is the oldest manager facedrop supports, so only the fields it understands are
/// here: a reload is announced with ``reloading`` and ended with ``ready``, as `Type=notify` expects.
package enum ServiceState: Sendable, Hashable {
    /// Start-up is complete: the journal is recovered and every inbox is watched.
    case ready
    /// A reload began; systemd waits for the next ``ready``.
    case reloading
    /// The daemon is shutting down and will not take new work.
    case stopping
    /// The job loop is alive (only meaningful under `WatchdogSec=`).
    case watchdog
    /// A one-line summary shown by `systemctl status`.
    case status(String)
    /// Asks for more time before the start, reload or stop timeout fires.
    case extendTimeout(Duration)

    /// The `KEY=VALUE` line this field is sent as.
    package var line: String {
        switch self {
        case .ready: "READY=1"
        case .reloading: "RELOADING=1"
        case .stopping: "STOPPING=1"
        case .watchdog: "WATCHDOG=1"
        case .status(let text): "STATUS=\(Self.oneLine(text))"
        case .extendTimeout(let duration): "EXTEND_TIMEOUT_USEC=\(Self.microseconds(duration))"
        }
    }

    /// STATUS is one line: a newline would start a new field, which a file name must never be able to do.
    private static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }

    private static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    }
}
