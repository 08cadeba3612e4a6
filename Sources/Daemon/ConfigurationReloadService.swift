import DaemonConfiguration
import DedicatedThreads
package import Logging
import ServiceLifecycle
package import SystemdService
package import UnixSignals

/// Reloads the daemon's configuration file on every SIGHUP (`systemctl reload`).
///
/// An invalid file is logged with every problem and the daemon keeps the configuration it has. Under
/// systemd the reload is framed by `RELOADING=1` … `READY=1`: systemd 252 has no `Type=notify-reload`, and
/// that pair is what `systemctl reload` waits for. A SIGHUP before start-up is over still reloads, but
/// announces nothing: the start's own `READY=1` is still to come and covers it.
///
/// A reload under way when the group shuts down is finished first; a later SIGHUP is not read.
package struct ConfigurationReloadService<Hangups: AsyncSequence<UnixSignal, Never> & Sendable>: Service, CustomStringConvertible {
    let hangups: Hangups
    let daemon: Daemon
    let file: ConfigurationFile
    let notifier: ServiceNotifier
    let logger: Logger

    /// - Parameter hangups: SIGHUP, usually `await UnixSignalsSequence(trapping: .sighup)`, made before anything
    ///   else starts so that a SIGHUP during start-up neither kills the process nor is lost.
    package init(hangups: Hangups, daemon: Daemon, file: ConfigurationFile, notifier: ServiceNotifier, logger: Logger) {
        self.hangups = hangups
        self.daemon = daemon
        self.file = file
        self.notifier = notifier
        self.logger = logger
    }

    package var description: String { "ConfigurationReloadService" }

    package func run() async {
        // Not `hangups.cancelOnGracefulShutdown()`: it merges the two sequences in a task of its own on the runtime's
        // global executor, which would keep an idle daemon waking every second (see `ThreadPoolExecutor`). A reload
        // under way when the shutdown begins runs to its end in a task the shutdown does not cancel, as before.
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                await Task(executorPreference: ExecutorPreference.current) { await reload() }.value
            }
        }
    }

    /// Reads the file again and applies it, or keeps the old configuration when it is invalid.
    func reload() async {
        let announce = daemon.isReady
        if announce { notifier.send(.reloading) }
        defer { if announce { notifier.send(.ready) } }
        logger.notice("SIGHUP: reloading the configuration", metadata: ["path": "\(file.path)"])
        var reloaded: DaemonConfiguration
        do {
            reloaded = try DaemonConfiguration.load(path: file.path, catalog: file.catalog, environment: file.environment)
        } catch {
            logger.error("the new configuration is invalid; keeping the old one", metadata: ["error": "\(error)"])
            return
        }
        reloaded.api.runTimeScale = file.runTimeScale
        await daemon.reload(reloaded)
    }
}
