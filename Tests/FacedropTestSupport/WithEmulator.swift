public import Foundation
import SegmindCatalog
public import SegmindEmulator

/// Runs `body` against a fresh in-process Segmind emulator on a free loopback port, stopping it
/// afterwards whatever happens.
///
/// The default configuration is the one most tests want: the key `emulator-key`, 100 USD of
/// credits and a time scale of 0.01, so a 70 s model completes in under a second.
public func withEmulator<T: Sendable>(
    _ configuration: EmulatorConfiguration = EmulatorConfiguration(timeScale: 0.01),
    _ body: (EmulatorServer, URL) async throws -> T
) async throws -> T {
    let server = EmulatorServer(configuration: configuration, catalog: try ModelCatalog.bundled())
    let url = try await server.start()
    do {
        let result = try await body(server, url)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
