import ArgumentParser
import DaemonConfiguration
import Foundation
import Logging
import SegmindCatalog
import SegmindConnection

extension SegmindConnection {
    /// ``open(_:keyFile:emulator:catalog:environment:logger:)`` for a command: on failure it prints why and
    /// exits 78 when the key is missing or unreadable (the user's to fix; `keyHint` says how, in the command's
    /// own terms) and 69 when the emulator cannot start.
    static func openOrExit(
        _ endpoint: APIEndpoint,
        keyFile: String?,
        emulator settings: EmulatorSettings,
        catalog: ModelCatalog,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger,
        keyHint: String
    ) async throws(ExitCode) -> SegmindConnection {
        do {
            return try await open(endpoint, keyFile: keyFile, emulator: settings, catalog: catalog, environment: environment, logger: logger)
        } catch .noAPIKey {
            printError("facedrop: no API key: \(keyHint)")
            throw ExitStatus.config
        } catch .unreadableKey(let error) {
            printError("facedrop: \(error)")
            throw ExitStatus.config
        } catch {
            printError("facedrop: \(error)")
            throw ExitStatus.unavailable
        }
    }
}
