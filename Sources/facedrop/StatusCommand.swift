import ArgumentParser
import Daemon
import DaemonConfiguration
import Foundation
import SegmindCatalog
import StrictJSON

/// `facedrop status`: jobs by state, requests in flight and credits.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show jobs by state, the requests in flight and the credit state."
    )

    @Option(help: "The configuration file.")
    var config = "/etc/facedrop/facedrop.toml"

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(path: config, catalog: try ModelCatalog.bundled(), environment: ProcessInfo.processInfo.environment)
        } catch {
            print("facedrop: \(config): \(error)")
            throw ExitStatus.config
        }
        do {
            let report = try StatusReport.read(configuration)
            print(json ? report.json.serializedString() : report.text)
        } catch {
            print("facedrop: \(error)")
            throw ExitStatus.unavailable
        }
    }
}
