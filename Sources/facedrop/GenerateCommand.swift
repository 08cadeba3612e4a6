import ArgumentParser
import CurlHTTP
import DaemonConfiguration
import FileSystem
import Foundation
import JobPipeline
import Logging
import Outbox
import SegmindAPI
import SegmindCatalog
import SegmindConnection

/// `facedrop generate`: one job in the foreground, with progress, into an outbox job folder.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Run one face + sidecar job in the foreground and write its folder to the outbox.",
        discussion: """
            With --base-url emulator (the default) the job runs against facedrop's built-in offline \
            Segmind emulator, so nothing is billed. Otherwise the API key is read from \
            $CREDENTIALS_DIRECTORY/segmind-api-key, --key-file, or SEGMIND_API_KEY.
            """
    )

    @Argument(help: "The face photo (JPEG, PNG or WebP).")
    var face: String

    @Option(help: "The JSON sidecar (default: <face stem>.json next to the face, if it exists).")
    var sidecar: String?

    @Option(help: "A pose image, for models that take one.")
    var pose: String?

    @Option(help: "The model, when the sidecar names none.")
    var model: String?

    @Option(help: "The outbox folder the job folder is written to.")
    var outbox = "outbox"

    @Option(help: "Segmind's API origin, or `emulator` for the built-in offline emulator.")
    var baseURL = "emulator"

    @Option(help: "A file holding the API key.")
    var keyFile: String?

    @Option(help: "With the emulator: how fast model time runs (0.05 runs a 13 s model in under a second).")
    var emulatorTimeScale = 0.05

    @Option(help: "Seconds to wait for Segmind before giving up (the request may still finish).")
    var deadline = 900

    func validate() throws {
        guard Files.exists(face, followingLinks: true) else {
            throw ValidationError("no face image at \(face)")
        }
        guard emulatorTimeScale > 0, deadline > 0 else {
            throw ValidationError("--emulator-time-scale and --deadline must be positive")
        }
    }

    func run() async throws {
        var logger = Logger(label: "facedrop")
        logger.logLevel = .warning
        let catalog: ModelCatalog
        do {
            catalog = try ModelCatalog.bundled()
        } catch {
            printError("facedrop: \(error)")
            throw ExitStatus.config
        }

        var settings = JobSettings(defaultModel: model, deadline: .seconds(deadline))
        // The user names these files on the command line: a second name elsewhere is theirs, not a planted link.
        settings.refusesHardLinks = false
        let connection = try await SegmindConnection.openOrExit(
            baseURL == "emulator" ? .emulator : .url(baseURL),
            keyFile: keyFile,
            emulator: EmulatorSettings(timeScale: emulatorTimeScale, queueSeconds: 0.2),
            catalog: catalog,
            logger: logger,
            keyHint: "set SEGMIND_API_KEY, pass --key-file, or use --base-url emulator"
        )
        if let scale = connection.emulatorTimeScale {
            settings.runTimeScale = scale
            printError("facedrop: using the built-in Segmind emulator at \(connection.segmind.baseURL) (nothing is billed)")
        }

        let http = try HTTPClient()
        let runner = JobRunner(
            client: SegmindClient(configuration: connection.segmind, http: http, logger: logger),
            catalog: catalog,
            outbox: OutboxFolders(root: outbox),
            logger: logger
        )
        let faceURL = URL(fileURLWithPath: face)
        let stem = faceURL.deletingPathExtension().lastPathComponent
        let defaultSidecar = faceURL.deletingPathExtension().appendingPathExtension("json").path
        let sidecarPath = sidecar ?? (Files.exists(defaultSidecar, followingLinks: true) ? defaultSidecar : nil)
        let input = JobInput(name: stem, inbox: "generate", facePath: face, sidecarPath: sidecarPath, posePath: pose)

        let report = await runner.run(input, settings: settings) { event in
            switch event {
            case .validated(let model, let warnings):
                printError("facedrop: \(stem): validated for \(model)")
                for warning in warnings { printError("facedrop:   warning: \(warning)") }
            case .submitted(let id):
                printError("facedrop: \(stem): submitted, request \(id)")
            case .polled(let status, let polls):
                printError("facedrop: \(stem): \(status.state.rawValue) (poll \(polls))")
            case .downloaded(let index, let total, let bytes):
                printError("facedrop: \(stem): downloaded image \(index) of \(total) (\(bytes) bytes)")
            case .finished:
                break
            }
        }
        http.shutdown()
        await connection.close()
        guard let folder = report.folder else {
            printError("facedrop: \(stem): failed (\(report.errorCode ?? "unknown")) and the outbox could not be written")
            throw ExitStatus.unavailable
        }
        if report.outcome == .done {
            print(folder)
        } else {
            printError("facedrop: \(stem): failed with \(report.errorCode ?? "unknown"); see \(folder)/error.json")
            print(folder)
            throw ExitStatus.jobFailed
        }
    }
}

/// Writes a progress or error line to standard error, keeping standard output for results.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
