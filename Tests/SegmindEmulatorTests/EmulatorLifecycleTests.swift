import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import Testing

@Suite("Emulator lifecycle")
struct EmulatorLifecycleTests {
    @Test("run() serves until its task is cancelled, then stops")
    func runUntilCancelled() async throws {
        let server = EmulatorServer(configuration: EmulatorConfiguration(), catalog: try ModelCatalog.bundled())
        let task = Task { try await server.run() }
        var base: URL?
        for _ in 0..<200 where base == nil {
            try await Task.sleep(for: .milliseconds(10))
            base = await server.baseURL
        }
        let url = try #require(base)
        #expect(url.host == "127.0.0.1" && (url.port ?? 0) > 0)
        let reply = try await EmulatorHTTP(base: url).get("/v1/get-user-credits")
        #expect(reply.status == 200)
        task.cancel()
        try await task.value
        #expect(await server.baseURL == nil)
        await #expect(throws: (any Error).self) { try await EmulatorHTTP(base: url).get("/v1/get-user-credits") }
    }

    @Test("a host that is not an IPv4 address is refused with a readable error")
    func invalidHost() async throws {
        let server = EmulatorServer(configuration: EmulatorConfiguration(host: "localhost"), catalog: try ModelCatalog.bundled())
        await #expect(throws: EmulatorError.invalidAddress("localhost")) { try await server.start() }
    }
}
