import ArgumentParser
import Daemon
import DaemonConfiguration
import Foundation

/// `facedrop pause INBOX`: makes the inbox's `PAUSE` file.
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause an inbox: its jobs wait, unsent, until it resumes; jobs already at Segmind finish.",
        discussion: """
            Makes the file PAUSE in the inbox folder; any tool may make or remove it instead. New drops are still taken \
            (claimed) and queued. The pause holds across restarts until `facedrop resume` (or removing the file).
            """
    )

    @Option(help: "The configuration file.")
    var config = "/etc/facedrop/facedrop.toml"

    @Option(help: "Why, written into the PAUSE file for whoever reads it.")
    var reason: String?

    @Argument(help: "The inbox, by its name in the configuration.")
    var inbox: String

    func run() throws {
        let configuration = try DaemonConfiguration.loadForCommand(config)
        let inbox = try configuration.inbox(named: self.inbox)
        do {
            let changed = try InboxPause.pause(inbox, by: ProcessInfo.processInfo.userName, reason: reason)
            print(changed ? "\(inbox.name): paused (\(inbox.pauseFile)); jobs already at Segmind finish" : "\(inbox.name): already paused (\(inbox.pauseFile))")
        } catch {
            print("facedrop: \(inbox.name): \(error)")
            throw ExitStatus.unavailable
        }
    }
}
