import ArgumentParser
import Daemon
import DaemonConfiguration

/// `facedrop resume INBOX`: removes the inbox's `PAUSE` file.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused inbox: its queued jobs are sent again."
    )

    @Option(help: "The configuration file.")
    var config = "/etc/facedrop/facedrop.toml"

    @Argument(help: "The inbox, by its name in the configuration.")
    var inbox: String

    func run() throws {
        let configuration = try DaemonConfiguration.loadForCommand(config)
        let inbox = try configuration.inbox(named: self.inbox)
        do {
            let changed = try InboxPause.resume(inbox)
            print(changed ? "\(inbox.name): resumed" : "\(inbox.name): was not paused")
        } catch {
            print("facedrop: \(inbox.name): \(error)")
            throw ExitStatus.unavailable
        }
    }
}
