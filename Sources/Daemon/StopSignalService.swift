package import Logging
import ServiceLifecycle
package import SystemdService
package import UnixSignals

/// Waits for SIGTERM or SIGINT, tells systemd (`STOPPING=1`) and the log which signal asked for the stop, and
/// ends; its group is set to shut down gracefully when it ends, so the other services stop in reverse order.
///
/// The group is deliberately not given these signals itself (`gracefulShutdownSignals`): it would never say
/// which one arrived, and it would trap them only once it runs, so a SIGTERM during start-up would be lost.
/// The sequence handed in here is made before anything else starts and keeps a signal until it is read.
package struct StopSignalService<Signals: AsyncSequence<UnixSignal, Never> & Sendable>: Service, CustomStringConvertible {
    let signals: Signals
    let notifier: ServiceNotifier
    let logger: Logger

    /// - Parameter signals: SIGTERM and SIGINT, usually `await UnixSignalsSequence(trapping: .sigterm, .sigint)`.
    package init(signals: Signals, notifier: ServiceNotifier, logger: Logger) {
        self.signals = signals
        self.notifier = notifier
        self.logger = logger
    }

    package var description: String { "StopSignalService" }

    package func run() async {
        // Not `signals.cancelOnGracefulShutdown()`: it merges the two sequences in a task of its own on the runtime's
        // global executor, which would keep an idle daemon waking every second (see `ThreadPoolExecutor`).
        await cancelWhenGracefulShutdown {
            for await signal in signals {
                notifier.send(.stopping)
                logger.notice("stopping", metadata: ["signal": "\(signal)"])
                return
            }
        }
    }
}
