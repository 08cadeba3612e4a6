/// What the job loop does each time it comes round at least every `interval`: tell the service manager
/// it is alive (`WATCHDOG=1`) and how the queue stands (`STATUS=`).
///
/// The beat comes from the scheduler's own loop rather than an independent timer, so a loop that hangs
/// stops the pings and systemd's watchdog restarts the daemon.
struct Heartbeat: Sendable {
    let interval: Duration
    let beat: @Sendable (_ inFlight: Int) -> Void
}
