import SegmindEmulator
import ServiceLifecycle

/// The built-in emulator as a service of the daemon's group: it serves until the group shuts it down.
///
/// The server is started before the group runs (the daemon needs its address to be built); this service only
/// decides when it stops. Listed before the daemon in the group, it is shut down after it, so a POST the
/// stopping daemon still waits for gets its answer.
package struct EmulatorService: Service, CustomStringConvertible {
    let server: EmulatorServer

    package var description: String { "EmulatorService" }

    /// Waits for the group's graceful shutdown (or cancellation, when the shutdown ran out of time), then stops.
    package func run() async {
        try? await gracefulShutdown()
        await server.stop()
    }
}
