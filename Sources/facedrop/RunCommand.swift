import ArgumentParser
import CurlHTTP
import Daemon
import DaemonConfiguration
import Foundation
import Logging
import MetricsExporter
import SegmindAPI
import SegmindCatalog
import SegmindConnection
import ServiceLifecycle
import SystemdService
import UnixSignals

/// `facedrop run`: the daemon. SIGTERM or SIGINT stop it gracefully; SIGHUP reloads the configuration.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: watch the inboxes and process every drop."
    )

    /// How long the service group lets a graceful stop take before it cancels what still runs.
    ///
    /// Below the units' `TimeoutStopSec=90s` (systemd/facedrop.service, facedrop@.service), so the group's own
    /// escalation comes before systemd's SIGKILL. The daemon is cancelled from the first moment of its stop, so
    /// what this bounds is the built-in emulator; a POST still unanswered after it (`request_timeout` is 30 s
    /// by default) is still awaited, until systemd's SIGKILL at 90 s, after which the restart treats it as an
    /// unknown outcome.
    static let maximumGracefulShutdownDuration: Duration = .seconds(80)

    @Option(help: "The configuration file.")
    var config = "/etc/facedrop/facedrop.toml"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        // Trapped first, before anything else starts: from here on these signals no longer end the process, and one
        // that arrives during start-up waits in its sequence until its service reads it.
        let stopSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let hangups = await UnixSignalsSequence(trapping: .sighup)

        let environment = ProcessInfo.processInfo.environment
        let style = ServiceLogHandler.Style.detect(environment: environment)
        LoggingSystem.bootstrap { ServiceLogHandler(label: $0, style: style) }
        let notifier = ServiceNotifier(environment: environment)
        var logger = Logger(label: "facedrop")
        logger.logLevel = logLevel
        let catalog: ModelCatalog
        var configuration: DaemonConfiguration
        do {
            catalog = try ModelCatalog.bundled()
            configuration = try DaemonConfiguration.load(path: config, catalog: catalog, environment: environment)
        } catch {
            printError("facedrop: \(config): \(error)")
            throw ExitStatus.config
        }
        for warning in configuration.warnings { logger.warning("\(warning)") }

        let connection = try await SegmindConnection.openOrExit(
            configuration.api.baseURL,
            keyFile: configuration.api.keyFile,
            emulator: configuration.emulator,
            catalog: catalog,
            environment: environment,
            logger: logger,
            keyHint: "use LoadCredential=segmind-api-key, key_file, or SEGMIND_API_KEY"
        )
        var segmind = connection.segmind
        if let scale = connection.emulatorTimeScale {
            configuration.api.runTimeScale = scale
        } else {
            segmind.requestTimeout = configuration.api.requestTimeout
            segmind.downloadTimeout = configuration.api.downloadTimeout
        }

        let http = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: configuration.api.connectTimeout))
        let daemon: Daemon
        do {
            daemon = try await Daemon(configuration: configuration, segmind: segmind, http: http, catalog: catalog, notifier: notifier, logger: logger)
        } catch {
            printError("facedrop: \(error)")
            await connection.close()
            throw ExitStatus.unavailable
        }

        // Services stop in reverse order: the signal services first, then the daemon, then the emulator it may
        // still be waiting on. The stop-signal service ending is what starts the group's graceful shutdown.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let emulator = connection.emulatorService { services.append(.init(service: emulator)) }
        // Before the daemon, so it stops after it: the last textfile holds the daemon's final figures.
        if configuration.metrics.isEnabled {
            let metrics = configuration.metrics
            let gauges = daemon.metricsGauges()
            let service = MetricsService(
                registry: MetricsRegistry.bootstrapGlobal(),
                textfile: metrics.textfile,
                interval: metrics.interval,
                address: metrics.listen.map { MetricsService.Address(host: $0.host, port: $0.port) },
                refresh: { await gauges.refresh() },
                logger: logger
            )
            services.append(.init(service: service))
        }
        services.append(.init(service: DaemonService(daemon: daemon)))
        let file = ConfigurationFile(
            path: config,
            catalog: catalog,
            environment: environment,
            runTimeScale: configuration.api.runTimeScale
        )
        services.append(.init(service: ConfigurationReloadService(hangups: hangups, daemon: daemon, file: file, notifier: notifier, logger: logger)))
        services.append(
            .init(
                service: StopSignalService(signals: stopSignals, notifier: notifier, logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup
            )
        )
        var group = ServiceGroupConfiguration(services: services, logger: logger)
        group.maximumGracefulShutdownDuration = Self.maximumGracefulShutdownDuration
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            logger.error("the daemon stopped unexpectedly", metadata: ["error": "\(error)"])
            http.shutdown()
            throw ExitStatus.unavailable
        }
        // Only now, with the daemon ended: a POST it waited for used this client to the last.
        http.shutdown()
    }
}
