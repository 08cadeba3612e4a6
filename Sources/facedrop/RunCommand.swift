import ArgumentParser
import CurlHTTP
import Daemon
import DaemonConfiguration
import Dispatch
import Foundation
import Logging
import SegmindAPI
import SegmindCatalog
import SegmindEmulator
import SystemdService

/// `facedrop run`: the daemon. SIGTERM or SIGINT stop it gracefully; SIGHUP reloads the configuration.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: watch the inboxes and process every drop."
    )

    @Option(help: "The configuration file.")
    var config = "/etc/facedrop/facedrop.toml"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let style = ServiceLogHandler.Style.detect(environment: environment)
        LoggingSystem.bootstrap { ServiceLogHandler(label: $0, style: style) }
        let notifier = ServiceNotifier(environment: environment)
        var logger = Logger(label: "facedrop")
        logger.logLevel = logLevel
        let catalog: ModelCatalog
        let configuration: DaemonConfiguration
        do {
            catalog = try ModelCatalog.bundled()
            configuration = try DaemonConfiguration.load(path: config, catalog: catalog, environment: environment)
        } catch {
            printError("facedrop: \(config): \(error)")
            throw ExitStatus.config
        }
        for warning in configuration.warnings { logger.warning("\(warning)") }

        // The signals' default action is ignored (SIG_IGN) before any thread is started, and dispatch sources read them.
        let signals = SignalListener(signals: [SIGTERM, SIGINT, SIGHUP])

        var effective = configuration
        var emulator: EmulatorServer?
        let segmind: SegmindConfiguration
        switch configuration.api.baseURL {
        case .emulator:
            let key = "emulator-\(UUID().uuidString)"
            let settings = configuration.emulator
            let server = EmulatorServer(
                configuration: EmulatorConfiguration(
                    apiKeys: [key],
                    credits: settings.credits,
                    timeScale: settings.timeScale,
                    queueSeconds: settings.queueSeconds
                ),
                catalog: catalog,
                logger: logger
            )
            let url = try await server.start()
            emulator = server
            effective.api.runTimeScale = settings.timeScale
            segmind = SegmindConfiguration(baseURL: url.absoluteString, storageURL: url.absoluteString, apiKey: APIKey(key))
            logger.notice(
                "EMULATED: using the built-in Segmind emulator; outputs are synthetic test pictures, not generations, nothing is billed, and every result.json says \"emulated\": true",
                metadata: ["url": "\(url.absoluteString)"]
            )
        case .url(let url):
            let key: APIKey?
            do {
                key = try APIKey.locate(keyFile: configuration.api.keyFile, environment: environment)
            } catch {
                printError("facedrop: \(error)")
                throw ExitStatus.config
            }
            guard let key else {
                printError("facedrop: no API key: use LoadCredential=segmind-api-key, key_file, or SEGMIND_API_KEY")
                throw ExitStatus.config
            }
            segmind = SegmindConfiguration(
                baseURL: url,
                apiKey: key,
                requestTimeout: configuration.api.requestTimeout,
                downloadTimeout: configuration.api.downloadTimeout
            )
        }

        let http = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: configuration.api.connectTimeout))
        let daemon: Daemon
        do {
            daemon = try await Daemon(configuration: effective, segmind: segmind, http: http, catalog: catalog, notifier: notifier, logger: logger)
        } catch {
            printError("facedrop: \(error)")
            await emulator?.stop()
            throw ExitStatus.unavailable
        }
        let path = config
        let running = Task { await daemon.run() }
        for await signal in signals.stream {
            if signal == SIGHUP {
                // systemd 252 has no Type=notify-reload; RELOADING=1 … READY=1 is what `systemctl reload` waits for.
                // Before start-up is over, the start's own READY=1 is still to come and covers the reload.
                let announce = daemon.isReady
                if announce { notifier.send(.reloading) }
                defer { if announce { notifier.send(.ready) } }
                logger.notice("SIGHUP: reloading the configuration", metadata: ["path": "\(path)"])
                do {
                    var reloaded = try DaemonConfiguration.load(path: path, catalog: catalog, environment: environment)
                    reloaded.api.runTimeScale = effective.api.runTimeScale
                    await daemon.reload(reloaded)
                } catch {
                    logger.error("the new configuration is invalid; keeping the old one", metadata: ["error": "\(error)"])
                }
            } else {
                notifier.send(.stopping)
                logger.notice("stopping", metadata: ["signal": "\(signal == SIGTERM ? "SIGTERM" : "SIGINT")"])
                break
            }
        }
        running.cancel()
        await running.value
        http.shutdown()
        await emulator?.stop()
    }
}
