import ArgumentParser
import JobPipeline

/// The `facedrop` command line: thin wiring over the library modules.
struct Facedrop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facedrop",
        abstract: "Turn dropped face photos and JSON sidecars into Segmind face-ID generations.",
        version: "facedrop \(FacedropVersion.current) (\(BuildInfo.commit))",
        subcommands: [
            RunCommand.self, CheckCommand.self, StatusCommand.self, ModelsCommand.self, GenerateCommand.self, PauseCommand.self,
            ResumeCommand.self, CancelCommand.self, RetryCommand.self,
        ]
    )
}

/// The exit codes of sysexits(3) that facedrop's commands use.
enum ExitStatus {
    static let jobFailed = ExitCode(1)
    static let usage = ExitCode(64)
    static let unavailable = ExitCode(69)
    static let config = ExitCode(78)
}
