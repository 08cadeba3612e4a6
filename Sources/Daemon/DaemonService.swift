import ServiceLifecycle

/// The daemon as a service of a `ServiceGroup`: the group's graceful shutdown is the daemon's stop.
///
/// ``Daemon/run()`` stops on task cancellation: it takes no new job at once, cancels every wait, lets a POST
/// already on the wire finish and journals its request ID, then returns. Graceful shutdown maps onto exactly
/// that, so a stop through the group behaves as a cancelled daemon always has. When the group's shutdown
/// runs out of time it cancels the service too, which changes nothing here: the daemon is cancelled already,
/// and a POST on the wire is still awaited (its answer may be billed); only a SIGKILL ends that wait.
package struct DaemonService: Service, CustomStringConvertible {
    let daemon: Daemon

    package init(daemon: Daemon) {
        self.daemon = daemon
    }

    package var description: String { "DaemonService" }

    package func run() async {
        let daemon = self.daemon
        await cancelWhenGracefulShutdown { await daemon.run() }
    }
}
