import FacedropTestSupport
import Foundation
import SegmindEmulator
import Testing

/// The end-to-end smoke test of the quick tier (`scripts/test`): the real binary takes a drop to `done/`, refuses
/// a bad sidecar into `failed/` unbilled, and stops on SIGTERM. The long end-to-end suite
/// (``DaemonEndToEndTests``: storms, thousands of pairs, kill -9, hostile input) is the acceptance tier.
@Suite("facedrop run, smoke test")
struct DaemonSmokeTests {
    @Test("a drop becomes a done folder, a bad sidecar a failed one with nothing billed, and SIGTERM stops the daemon")
    func dropToDone() async throws {
        try await DaemonEndToEndTests().withDaemon { server, daemon in
            let job = try daemon.dropJob("smoke", sidecar: DaemonEndToEndTests.instantSidecar)
            _ = try daemon.dropJob("bad", sidecar: #"{"model":"instantid"}"#)
            try await daemon.waitFor("both jobs to end") { daemon.jobs(.done).count + daemon.jobs(.failed).count == 2 }
            try daemon.expectDone(job, model: "instantid")
            try daemon.expectFailed("bad", code: "invalid_sidecar", dropped: ["bad.jpg", "bad.json"])
            #expect(await server.ledger().submits == 1)
            let termination = try #require(await daemon.stop())
            #expect(!termination.signalled && termination.status == 0, "\(termination)")
            await daemon.expectClean()
        }
    }
}
