import ArgumentParser
import Dispatch
import FileSystem
import Foundation
import Logging
import SegmindCatalog
import SegmindEmulator
import Synchronization

/// `segmind-emulator`: serves the emulated Segmind API until SIGINT or SIGTERM.
@main
struct SegmindEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segmind-emulator",
        abstract: "A local emulator of Segmind's asynchronous v2 API, for tests and offline runs.",
        discussion: """
            Prints "segmind-emulator listening on http://HOST:PORT" once ready. Steer it at run time \
            through the control API under /_emulator/ (ledger, faults, credits, reset).
            """
    )

    @Option(help: "The IPv4 address to bind.")
    var host = "127.0.0.1"

    @Option(help: "The port to bind; 0 picks a free one.")
    var port: UInt16 = 0

    @Option(name: .customLong("api-key"), help: "An accepted x-api-key (repeatable; default emulator-key).")
    var apiKeys: [String] = []

    @Option(help: "The paid balance at start, in USD.")
    var credits = 100.0

    @Option(name: .customLong("free-credits"), help: "The free balance at start, in USD.")
    var freeCredits = 0.0

    @Option(name: .customLong("time-scale"), help: "Multiplies every emulated duration (0.01 makes a 70 s job take 0.7 s).")
    var timeScale = 1.0

    @Option(name: .customLong("queue-seconds"), help: "Seconds a job stays QUEUED, before scaling.")
    var queueSeconds = 2.0

    @Option(
        name: .customLong("run-time"),
        help: ArgumentHelp(
            "A model's run time in seconds, before scaling, instead of the catalog's (repeatable).",
            discussion: "Segmind's real run times drift from its published ones: pulid-lightning=2 serves a model the catalog gives 210.8 s.",
            valueName: "MODEL=SECONDS"
        )
    )
    var runTimes: [String] = []

    @Option(help: "Seconds after which a request record expires and polls answer 404.")
    var ttl = 3600.0

    @Option(help: "Requests per minute allowed; omit for no limit.")
    var rpm: Int?

    @Flag(name: .customLong("polls-free"), help: "Do not count status and result polls toward --rpm.")
    var pollsFree = false

    @Option(name: .customLong("fail-token"), help: "A prompt containing this text ends FAILED.")
    var failToken = "emulator:fail"

    @Option(help: "A slug answered 410 Gone (repeatable).")
    var retired: [String] = []

    @Option(help: "A slug answered 403 Forbidden (repeatable).")
    var forbidden: [String] = []

    @Option(name: .customLong("default-cost"), help: "The price of a run for models without a catalog cost.")
    var defaultCost = 0.05

    @Option(name: .customLong("max-output-side"), help: "The longest side of a rendered output image.")
    var maxOutputSide = 1024

    @Flag(name: .customLong("output-as-list"), help: "Always answer `output` as a list of URLs.")
    var outputAsList = false

    @Option(name: .customLong("upload-shape"), help: "The upload answer's shape: file_urls (the SDK's) or urls (the docs').")
    var uploadShape = "file_urls"

    @Option(name: .customLong("catalog"), help: "A model catalog JSON file to use instead of the bundled one.")
    var catalogPath: String?

    @Option(name: .customLong("port-file"), help: "Write the bound port to this file once listening.")
    var portFile: String?

    @Flag(help: "Log every request and fault to stderr.")
    var verbose = false

    func validate() throws {
        guard EmulatorConfiguration.UploadResponseShape(rawValue: uploadShape) != nil else {
            throw ValidationError("--upload-shape must be file_urls or urls")
        }
        guard timeScale >= 0 else { throw ValidationError("--time-scale must not be negative") }
        if let rpm, rpm < 1 { throw ValidationError("--rpm must be at least 1") }
        _ = try Self.runSeconds(runTimes)
    }

    /// `MODEL=SECONDS` pairs as a table; a slug given twice keeps its last figure.
    static func runSeconds(_ pairs: [String]) throws(ValidationError) -> [String: Double] {
        var table: [String: Double] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let seconds = Double(parts[1]), seconds.isFinite, seconds >= 0 else {
                throw ValidationError("--run-time takes MODEL=SECONDS with a number of seconds of at least 0, got \"\(pair)\"")
            }
            table[parts[0]] = seconds
        }
        return table
    }

    func run() async throws {
        var configuration = EmulatorConfiguration(
            host: host,
            port: port,
            credits: credits,
            freeCredits: freeCredits,
            timeScale: timeScale,
            queueSeconds: queueSeconds,
            recordTimeToLive: ttl,
            requestsPerMinute: rpm,
            pollsCountTowardLimit: !pollsFree,
            failToken: failToken,
            retiredModels: Set(retired),
            forbiddenModels: Set(forbidden),
            defaultCost: defaultCost,
            maxOutputSide: maxOutputSide,
            outputAsList: outputAsList,
            uploadResponseShape: .init(rawValue: uploadShape) ?? .fileURLs,
            runSeconds: try Self.runSeconds(runTimes)
        )
        if !apiKeys.isEmpty { configuration.apiKeys = Set(apiKeys) }
        let catalog = try catalogPath.map { try ModelCatalog(contentsOfFile: $0) } ?? ModelCatalog.bundled()

        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "segmind-emulator")
        logger.logLevel = verbose ? .debug : .warning

        let server = EmulatorServer(configuration: configuration, catalog: catalog, logger: logger)
        let url = try await server.start()
        if let portFile, let port = url.port {
            try Files.replace(portFile, bytes: Array("\(port)\n".utf8))
        }
        // Written straight to the file descriptor, unbuffered: scripts wait for this line.
        FileHandle.standardOutput.write(Data("segmind-emulator listening on \(url.absoluteString)\n".utf8))

        await Self.waitForTerminationSignal()
        await server.stop()
    }

    /// Returns on the first SIGINT or SIGTERM; the default actions are disabled so the server
    /// can close its socket before the process ends.
    private static func waitForTerminationSignal() async {
        let signals = [SIGINT, SIGTERM]
        for number in signals { signal(number, SIG_IGN) }
        let queue = DispatchQueue(label: "segmind-emulator.signals")
        let sources = signals.map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
        let resumed = Mutex(false)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            for source in sources {
                source.setEventHandler {
                    let first = resumed.withLock { done in
                        defer { done = true }
                        return !done
                    }
                    if first { continuation.resume() }
                }
                source.resume()
            }
        }
        for source in sources { source.cancel() }
    }
}
