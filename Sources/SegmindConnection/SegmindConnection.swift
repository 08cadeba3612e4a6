package import DaemonConfiguration
import Foundation
package import Logging
package import SegmindAPI
package import SegmindCatalog
package import SegmindEmulator

/// Where a command's requests go: Segmind itself with the user's API key, or facedrop's built-in emulator on a
/// loopback port with a key of its own.
///
/// `facedrop run` and `facedrop generate` both make this choice; it lives here so the two cannot drift apart
/// (where the key is looked for, how the emulator is started and announced).
///
/// ```swift
/// let connection = try await SegmindConnection.open(.emulator, keyFile: nil, emulator: EmulatorSettings(), catalog: try .bundled(), logger: logger)
/// let client = SegmindClient(configuration: connection.segmind, http: try HTTPClient(), logger: logger)
/// // … later, once nothing sends any more:
/// await connection.close()
/// ```
package struct SegmindConnection: Sendable {
    /// The client's settings: the origin and the key (the emulator's own key when emulated).
    package var segmind: SegmindConfiguration
    /// The built-in emulator, already serving; nil when requests go to Segmind.
    package let emulator: EmulatorServer?
    /// How fast the emulator's model time runs, for planning polls; nil for Segmind, whose time is real.
    package let emulatorTimeScale: Double?

    /// Whether the answers are synthetic: nothing is billed, and results must say so.
    package var isEmulated: Bool { emulator != nil }

    /// Opens what `endpoint` names.
    ///
    /// - `.emulator`: starts the built-in emulator with `settings` and a fresh random key, and logs the notice
    ///   that every output is a synthetic test picture.
    /// - `.url`: reads the API key from `$CREDENTIALS_DIRECTORY/segmind-api-key`, then `keyFile`, then
    ///   `SEGMIND_API_KEY` (``APIKey/locate(keyFile:environment:)``). The key is never logged.
    package static func open(
        _ endpoint: APIEndpoint,
        keyFile: String?,
        emulator settings: EmulatorSettings,
        catalog: ModelCatalog,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger
    ) async throws(SegmindConnectionError) -> SegmindConnection {
        switch endpoint {
        case .emulator:
            return try await emulated(settings, catalog: catalog, logger: logger)
        case .url(let url):
            let key: APIKey?
            do {
                key = try APIKey.locate(keyFile: keyFile, environment: environment)
            } catch {
                throw .unreadableKey(error)
            }
            guard let key else { throw .noAPIKey }
            return SegmindConnection(segmind: SegmindConfiguration(baseURL: url, apiKey: key), emulator: nil, emulatorTimeScale: nil)
        }
    }

    /// Stops the emulator, if there is one; Segmind needs no goodbye. Call it once nothing sends any more.
    package func close() async {
        await emulator?.stop()
    }

    /// The service that keeps the emulator serving until its group shuts down; nil for Segmind.
    package var emulatorService: EmulatorService? {
        emulator.map(EmulatorService.init(server:))
    }

    // MARK: Implementation

    private static func emulated(
        _ settings: EmulatorSettings,
        catalog: ModelCatalog,
        logger: Logger
    ) async throws(SegmindConnectionError) -> SegmindConnection {
        // A key nobody else knows: the emulator listens on loopback, where another local user could reach it.
        let key = "emulator-\(UUID().uuidString)"
        let server = EmulatorServer(
            configuration: EmulatorConfiguration(
                apiKeys: [key],
                credits: settings.credits,
                timeScale: settings.timeScale,
                queueSeconds: settings.queueSeconds,
                runSeconds: settings.runSeconds
            ),
            catalog: catalog,
            logger: logger
        )
        let url: URL
        do {
            url = try await server.start()
        } catch {
            throw .emulatorUnavailable("\(error)")
        }
        logger.notice(
            "EMULATED: using the built-in Segmind emulator; outputs are synthetic test pictures, not generations, nothing is billed, and every result.json says \"emulated\": true",
            metadata: ["url": "\(url.absoluteString)"]
        )
        return SegmindConnection(
            segmind: SegmindConfiguration(baseURL: url.absoluteString, storageURL: url.absoluteString, apiKey: APIKey(key)),
            emulator: server,
            emulatorTimeScale: settings.timeScale
        )
    }
}
