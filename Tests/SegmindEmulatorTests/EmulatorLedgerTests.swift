import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

@Suite("Emulator ledger and control API")
struct EmulatorLedgerTests {
    let face = try! Fixtures.bytes(Fixtures.faceJPEG)

    @Test("the ledger counts submits, billed submits and polls, per request id")
    func counts() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            let id = try #require(try await http.submit("flux-pulid", .fluxBody(face: face)).json?["request_id"]?.stringValue)
            _ = try await EmulatorHTTP(base: base, key: "wrong").submit("flux-pulid", .fluxBody(face: face))
            _ = try await http.get("/v2/requests/\(id)/status")
            _ = try await http.get("/v2/requests/\(id)")
            _ = try await http.get("/v1/get-user-credits")

            let ledger = await server.ledger()
            #expect(ledger.submits == 2 && ledger.billedSubmits == 1 && ledger.polls == 2)
            #expect(ledger.polls(forRequestID: id) == 2)
            #expect(ledger.entries(forRequestID: id).map(\.endpoint) == [.submit, .status, .result])
            #expect(ledger.entries(for: .credits).count == 1)
            let submit = try #require(ledger.entries.first)
            #expect(submit.model == "flux-pulid" && submit.status == 200 && submit.cost == 0.036 && submit.method == "POST")

            let remote = try await http.get("/_emulator/ledger")
            #expect(remote.json?["billed_submits"]?.intValue == 1)
            #expect(remote.json?["entries"]?.arrayValue?.count == 5)

            await server.resetLedger()
            #expect(await server.ledger().entries.isEmpty)
        }
    }

    @Test("the control API sets credits and resets the emulator")
    func controlCredits() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            let set = try await http.send(
                "POST",
                "/_emulator/credits",
                body: Array(#"{"credits": 2.5, "free_credits": 0.5}"#.utf8),
                contentType: "application/json"
            )
            #expect(set.status == 200)
            #expect(await server.balance() == (2.5, 0.5))
            _ = try await http.get("/v1/get-user-credits")
            #expect(try await http.send("POST", "/_emulator/reset", body: [], contentType: nil).status == 200)
            #expect(await server.balance() == (100, 0))
            #expect(await server.ledger().entries.isEmpty)
        }
    }
}
