import ArgumentParser
import DaemonConfiguration
import Foundation
import SegmindCatalog

extension DaemonConfiguration {
    /// The configuration a command works on, or the command's end with the configuration's exit status and the
    /// reason printed.
    static func loadForCommand(_ path: String) throws -> DaemonConfiguration {
        do {
            return try DaemonConfiguration.load(path: path, catalog: try ModelCatalog.bundled(), environment: ProcessInfo.processInfo.environment)
        } catch {
            print("facedrop: \(path): \(error)")
            throw ExitStatus.config
        }
    }

    /// The inbox a command names, or the command's end with a usage error that lists the inboxes.
    func inbox(named name: String) throws -> InboxConfiguration {
        guard let inbox = inboxes.first(where: { $0.name == name }) else {
            print("facedrop: no inbox named \(name); the configuration has \(inboxes.map(\.name).joined(separator: ", "))")
            throw ExitStatus.usage
        }
        return inbox
    }
}
