/// Tells systemd how the daemon is doing, over the datagram socket that `Type=notify` services get in
/// `$NOTIFY_SOCKET`: the `sd_notify(3)` protocol in a few lines of Swift, so facedrop needs no libsystemd.
///
/// Outside systemd (no `NOTIFY_SOCKET`) every call is a no-op, so the daemon calls it unconditionally.
/// A failed send is ignored, as `sd_notify` callers do: the manager's absence must never stop the work.
///
/// ```swift
/// let notifier = ServiceNotifier(environment: ProcessInfo.processInfo.environment)
/// notifier.send(.ready, .status("Watching 2 inboxes"))
/// ```
package final class ServiceNotifier: Sendable {
    /// How often the job loop must send ``ServiceState/watchdog``: half of `WATCHDOG_USEC`, as
    /// `sd_watchdog_enabled(3)` advises; nil when the watchdog is off or meant for another process.
    package let watchdogInterval: Duration?
    private let socket: NotifySocket?

    /// A notifier that never sends anything.
    package static let disabled = ServiceNotifier(environment: [:])

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment` (passed in, so tests
    /// never touch the process environment).
    package init(environment: [String: String]) {
        socket = environment["NOTIFY_SOCKET"].flatMap { NotifySocket(address: $0) }
        watchdogInterval = Self.watchdogInterval(environment: environment, pid: NotifySocket.processID)
    }

    /// Whether a service manager is listening.
    package var isEnabled: Bool { socket != nil }

    /// Sends the fields as one datagram; returns whether it left.
    @discardableResult
    package func send(_ states: ServiceState...) -> Bool {
        send(states)
    }

    /// Sends the fields as one datagram; returns whether it left.
    @discardableResult
    package func send(_ states: [ServiceState]) -> Bool {
        guard let socket, !states.isEmpty else { return false }
        return socket.send(Array(states.map(\.line).joined(separator: "\n").utf8))
    }

    static func watchdogInterval(environment: [String: String], pid: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return .microseconds(microseconds / 2)
    }
}
