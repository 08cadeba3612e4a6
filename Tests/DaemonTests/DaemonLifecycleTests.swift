import CurlHTTP
import DaemonConfiguration
import FacedropTestSupport
import Foundation
import InMemoryLogging
import Logging
import SegmindAPI
import SegmindCatalog
import SegmindConnection
import SegmindEmulator
import ServiceLifecycle
import ServiceLifecycleTestKit
import SystemdService
import Testing
import UnixSignals

@testable import Daemon

/// The daemon's services under a graceful shutdown, as `facedrop run`'s service group drives them; signals are
/// stood in for by a stream, so the test process is never sent one.
@Suite("Daemon services under graceful shutdown", .serialized, .inotifyExclusive, .timeLimit(.minutes(1)))
struct DaemonLifecycleTests {
    /// A configuration file naming a state folder and `inboxes` inboxes (each with its outbox).
    struct Files {
        let folder: TemporaryDirectory
        var path: String { folder.appending("facedrop.toml") }

        init() throws {
            folder = try TemporaryDirectory(prefix: "facedrop-lifecycle")
            try FileManager.default.createDirectory(atPath: folder.appending("state"), withIntermediateDirectories: true)
        }

        func inbox(_ index: Int) -> String { folder.appending("inbox-\(index)") }

        func write(inboxes: Int) throws {
            var toml = """
                [api]
                base_url = "emulator"
                [state]
                dir = "\(folder.appending("state"))"

                """
            for index in 0..<inboxes {
                toml += """
                    [[inbox]]
                    name = "in-\(index)"
                    path = "\(inbox(index))"
                    outbox = "\(folder.appending("outbox-\(index)"))"
                    model = "pulid-base"
                    settle = 0.2

                    """
            }
            try Data(toml.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }

        func load() throws -> DaemonConfiguration {
            try DaemonConfiguration.load(path: path, catalog: ModelCatalog.bundled(), environment: [:])
        }
    }

    /// What the services tell systemd and the log, each caught where a test can read it.
    struct Witness {
        let receiver: NotifyReceiver
        let notifier: ServiceNotifier
        let logs = InMemoryLogHandler()
        var logger: Logger { DaemonLifecycleTests.logger(logs) }

        init() throws {
            receiver = try NotifyReceiver()
            notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": receiver.path])
        }
    }

    /// Builds a daemon on `files` against an in-process emulator and runs `body` with it.
    private func withDaemon(
        _ files: Files,
        notifier: ServiceNotifier = .disabled,
        logger: Logger,
        _ body: (Daemon) async throws -> Void
    ) async throws {
        try await withEmulator(EmulatorConfiguration(apiKeys: ["lifecycle-test-key"], timeScale: 0.01)) { _, url in
            let http = try HTTPClient()
            let daemon = try await Daemon(
                configuration: files.load(),
                segmind: SegmindConfiguration(baseURL: url.absoluteString, storageURL: url.absoluteString, apiKey: APIKey("lifecycle-test-key")),
                http: http,
                catalog: ModelCatalog.bundled(),
                notifier: notifier,
                logger: logger
            )
            defer { http.shutdown() }
            try await body(daemon)
        }
    }

    fileprivate static func logger(_ logs: InMemoryLogHandler) -> Logger {
        var logger = Logger(label: "facedrop") { _ in logs }
        logger.logLevel = .info
        return logger
    }

    private static func logged(_ logs: InMemoryLogHandler, _ message: String) -> Bool {
        logs.entries.contains { $0.message.description == message }
    }

    @Test("graceful shutdown stops the daemon service: it was ready, and it ends having stopped the daemon")
    func daemonServiceEndsOnGracefulShutdown() async throws {
        let files = try Files()
        try files.write(inboxes: 1)
        let logs = InMemoryLogHandler()
        try await withDaemon(files, logger: Self.logger(logs)) { daemon in
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup { group in
                    group.addTask { await DaemonService(daemon: daemon).run() }
                    #expect(await eventually { daemon.isReady }, "the daemon never became ready")
                    #expect(!Self.logged(logs, "facedrop stopped; unfinished jobs resume at the next start"))
                    let start = ContinuousClock.now
                    trigger.triggerGracefulShutdown()
                    try await group.waitForAll()
                    #expect(ContinuousClock.now - start < .seconds(5))
                }
            }
        }
        #expect(Self.logged(logs, "facedrop stopped; unfinished jobs resume at the next start"))
    }

    @Test(
        "SIGHUP reloads: a new inbox is watched between RELOADING=1 and READY=1, an invalid file keeps the old configuration, and graceful shutdown ends the service"
    )
    func reloadServiceReloads() async throws {
        let files = try Files()
        try files.write(inboxes: 1)
        let witness = try Witness()
        let (receiver, notifier, logs, logger) = (witness.receiver, witness.notifier, witness.logs, witness.logger)
        let (hangups, hangup) = AsyncStream<UnixSignal>.makeStream()
        try await withDaemon(files, notifier: notifier, logger: logger) { daemon in
            let reload = ConfigurationReloadService(
                hangups: hangups,
                daemon: daemon,
                file: ConfigurationFile(path: files.path, catalog: try ModelCatalog.bundled(), environment: [:], runTimeScale: 1),
                notifier: notifier,
                logger: logger
            )
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup { group in
                    group.addTask { await DaemonService(daemon: daemon).run() }
                    group.addTask { await reload.run() }
                    #expect(await eventually { receiver.fields.contains("READY=1") }, "the daemon never became ready")

                    try files.write(inboxes: 2)
                    hangup.yield(.sighup)
                    #expect(await eventually { Self.logged(logs, "configuration reloaded") }, "no reload")
                    #expect(FileManager.default.fileExists(atPath: files.inbox(1)), "the new inbox was not set up")
                    let fields = receiver.fields
                    let reloading = try #require(fields.firstIndex(of: "RELOADING=1"))
                    #expect(await eventually { receiver.fields[reloading...].contains("READY=1") }, "\(receiver.fields)")

                    try Data("[api\nbase_url = 12\n".utf8).write(to: URL(fileURLWithPath: files.path), options: .atomic)
                    hangup.yield(.sighup)
                    #expect(await eventually { Self.logged(logs, "the new configuration is invalid; keeping the old one") })
                    #expect(logs.entries.filter { $0.message.description == "configuration reloaded" }.count == 1)

                    trigger.triggerGracefulShutdown()
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test("SIGTERM: the stop-signal service sends STOPPING=1, logs the signal and ends; without a signal it ends on graceful shutdown and says nothing")
    func stopSignalService() async throws {
        let witness = try Witness()
        let (receiver, notifier, logs, logger) = (witness.receiver, witness.notifier, witness.logs, witness.logger)

        let (signals, signal) = AsyncStream<UnixSignal>.makeStream()
        signal.yield(.sigterm)
        await StopSignalService(signals: signals, notifier: notifier, logger: logger).run()
        #expect(await eventually { receiver.fields == ["STOPPING=1"] }, "\(receiver.fields)")
        let stopping = try #require(logs.entries.first { $0.message.description == "stopping" })
        #expect(stopping.metadata["signal"] == "SIGTERM")

        let (quiet, _) = AsyncStream<UnixSignal>.makeStream()
        await testGracefulShutdown { trigger in
            await withTaskGroup { group in
                group.addTask { await StopSignalService(signals: quiet, notifier: notifier, logger: logger).run() }
                trigger.triggerGracefulShutdown()
                await group.waitForAll()
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(receiver.fields == ["STOPPING=1"])
        #expect(logs.entries.filter { $0.message.description == "stopping" }.count == 1)
    }

    @Test("SIGTERM through the service group as facedrop run wires it: STOPPING=1, the daemon stops, then the built-in emulator it used")
    func groupStopsDaemonBeforeEmulator() async throws {
        let files = try Files()
        try files.write(inboxes: 1)
        let witness = try Witness()
        let (receiver, notifier, logs, logger) = (witness.receiver, witness.notifier, witness.logs, witness.logger)
        let catalog = try ModelCatalog.bundled()
        let connection = try await SegmindConnection.open(
            .emulator,
            keyFile: nil,
            emulator: EmulatorSettings(timeScale: 0.01),
            catalog: catalog,
            logger: logger
        )
        let emulator = try #require(connection.emulatorService)
        let http = try HTTPClient()
        defer { http.shutdown() }
        let daemon = try await Daemon(
            configuration: files.load(),
            segmind: connection.segmind,
            http: http,
            catalog: catalog,
            notifier: notifier,
            logger: logger
        )
        let (signals, signal) = AsyncStream<UnixSignal>.makeStream()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: emulator),
                    .init(service: DaemonService(daemon: daemon)),
                    .init(
                        service: StopSignalService(signals: signals, notifier: notifier, logger: logger),
                        successTerminationBehavior: .gracefullyShutdownGroup
                    ),
                ],
                logger: logger
            )
        )
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            #expect(await eventually { daemon.isReady }, "the daemon never became ready")
            signal.yield(.sigterm)
            try await tasks.waitForAll()
        }
        #expect(
            await eventually { receiver.fields.lastIndex(of: "STOPPING=1").map { $0 > receiver.fields.lastIndex(of: "READY=1") ?? 0 } ?? false },
            "\(receiver.fields)"
        )
        let messages = logs.entries.map(\.message.description)
        let stopping = try #require(messages.firstIndex(of: "stopping"))
        let daemonStopped = try #require(messages.firstIndex(of: "facedrop stopped; unfinished jobs resume at the next start"))
        let emulatorStopped = try #require(messages.firstIndex(of: "segmind emulator stopped"))
        #expect(stopping < daemonStopped && daemonStopped < emulatorStopped, "\(messages)")
        #expect(await connection.emulator?.baseURL == nil, "the emulator still listens")
    }
}
