import FacedropTestSupport
import Foundation
import SegmindEmulator
import Testing

/// The real `facedrop run` binary against the in-process Segmind emulator: drops in, folders out.
///
/// One serialized suite: every test spawns a daemon (and some spawn thousands of files), and the machine
/// has two cores. The tests live in `DaemonEndToEndTests+*.swift` files, one concern each.
@Suite("facedrop run, end to end", .serialized)
struct DaemonEndToEndTests {
    /// Starts an emulator and a daemon on fresh folders, runs `body`, and always stops the daemon (SIGTERM,
    /// then SIGKILL) and removes the folders. The daemon's log is printed when `body` throws, or always
    /// with `FACEDROP_E2E_LOG=1`.
    ///
    /// The emulator accepts the suite's canary key (``DaemonHarness/canaryKey``), the key every daemon is
    /// given; once the daemon has stopped, no file it could have written may contain it.
    func withDaemon(
        emulator: EmulatorConfiguration = EmulatorConfiguration(timeScale: 0.01),
        startDaemon: Bool = true,
        configure: (inout DaemonSettings) -> Void = { _ in },
        _ body: (EmulatorServer, DaemonHarness) async throws -> Void
    ) async throws {
        var emulator = emulator
        emulator.apiKeys.insert(DaemonHarness.canaryKey)
        try await withEmulator(emulator) { server, url in
            let harness = try DaemonHarness(baseURL: url, configure: configure)
            do {
                if startDaemon { try await harness.start() }
                try await body(server, harness)
                await harness.stop()
                harness.expectNoCanary()
                if ProcessInfo.processInfo.environment["FACEDROP_E2E_LOG"] == "1" { Self.printLog(of: harness, reason: "FACEDROP_E2E_LOG=1") }
            } catch {
                await harness.stop()
                harness.expectNoCanary()
                Self.printLog(of: harness, reason: "\(error)")
                throw error
            }
        }
    }

    static func printLog(of harness: DaemonHarness, reason: String) {
        print(
            """
            ---- facedrop log (\(reason)) ----
            \(harness.logTail(200))
            ---- end of the facedrop log ----
            """
        )
    }

    /// A count from the environment (for the long tests), else `fallback`.
    static func count(_ variable: String, default fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[variable].flatMap { Int($0) } ?? fallback
    }
}
