import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

@Suite("Emulator faults")
struct EmulatorFaultTests {
    let face = try! Fixtures.bytes(Fixtures.faceJPEG)

    @Test("a status fault answers that status for the next N matching requests, without billing")
    func statusFault() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            await server.inject(EmulatorFault(endpoint: .submit, kind: .status(503), count: 2))
            await server.inject(EmulatorFault(endpoint: .credits, kind: .status(429, body: #"{"error":"slow down"}"#)))
            let throttled = try await http.get("/v1/get-user-credits")
            #expect(throttled.error == "slow down")
            #expect(try await http.submit("flux-pulid", .fluxBody(face: face)).status == 503)
            #expect(try await http.submit("flux-pulid", .fluxBody(face: face)).status == 503)
            #expect(try await http.submit("flux-pulid", .fluxBody(face: face)).status == 200)
            let ledger = await server.ledger()
            #expect(ledger.submits == 3 && ledger.billedSubmits == 1)
            #expect(ledger.entries(for: .submit).compactMap(\.fault) == ["status 503", "status 503"])
            #expect(await server.pendingFaults().isEmpty)
        }
    }

    @Test("dropping the connection after billing leaves a billed, pollable job and no answer")
    func dropAfterBilling() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            await server.inject(EmulatorFault(endpoint: .submit, kind: .dropConnectionAfterBilling))
            await #expect(throws: (any Error).self) { try await http.submit("flux-pulid", .fluxBody(face: face)) }
            let ledger = await server.ledger()
            #expect(ledger.billedSubmits == 1)
            let entry = try #require(ledger.entries(for: .submit).first)
            #expect(entry.status == nil)
            let id = try #require(entry.requestID)
            #expect(try await http.get("/v2/requests/\(id)/status").status == 200)
            #expect(await server.balance().credits < 100)
        }
    }

    @Test("dropping the connection without billing leaves nothing behind")
    func dropConnection() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            await server.inject(EmulatorFault(endpoint: .any, kind: .dropConnection))
            await #expect(throws: (any Error).self) { try await http.submit("flux-pulid", .fluxBody(face: face)) }
            #expect(await server.ledger().billedSubmits == 0)
            #expect(await server.balance().credits == 100)
        }
    }

    @Test("a delay holds the answer back, then answers normally")
    func delay() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            await server.inject(EmulatorFault(endpoint: .credits, kind: .delay(.milliseconds(300))))
            let start = ContinuousClock.now
            let reply = try await http.get("/v1/get-user-credits")
            #expect(ContinuousClock.now - start >= .milliseconds(300))
            #expect(reply.status == 200 && reply.json?["credits"] != nil)
        }
    }

    @Test("a truncated body promises more bytes than it sends")
    func truncatedBody() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            await server.inject(EmulatorFault(endpoint: .credits, kind: .truncatedBody))
            do {
                let reply = try await http.get("/v1/get-user-credits")
                let promised = try #require(reply.header("content-length").flatMap(Int.init))
                #expect(reply.body.count < promised)
            } catch {
                // URLSession reports the short read as an error: the answer was cut.
            }
            #expect(await server.ledger().entries.first?.fault == "truncated body")
            let next = try await http.get("/v1/get-user-credits")
            #expect(next.json != nil)
        }
    }

    @Test("a malformed body is a 200 that is not JSON, after the work was done")
    func malformedBody() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            await server.inject(EmulatorFault(endpoint: .submit, kind: .malformedBody))
            let reply = try await http.submit("flux-pulid", .fluxBody(face: face))
            #expect(reply.status == 200)
            #expect(reply.json == nil)
            #expect(await server.ledger().billedSubmits == 1)
        }
    }

    @Test("faults round-trip through their JSON form and the control API")
    func controlAPIFaults() async throws {
        let faults = [
            EmulatorFault(endpoint: .status, kind: .status(502, body: "<html>bad gateway</html>"), count: 3),
            EmulatorFault(endpoint: .any, kind: .delay(.milliseconds(1500))),
            EmulatorFault(endpoint: .upload, kind: .dropConnectionAfterBilling),
            EmulatorFault(endpoint: .result, kind: .truncatedBody),
        ]
        for fault in faults {
            #expect(try EmulatorFault(json: fault.json) == fault)
        }
        #expect(throws: EmulatorFaultFormatError.invalidField("kind")) {
            try EmulatorFault(json: .object(["endpoint": "submit", "kind": "explode"]))
        }
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base, key: nil)
            let posted = try await http.send(
                "POST",
                "/_emulator/faults",
                body: Array(#"{"endpoint":"credits","kind":"status","status":500}"#.utf8),
                contentType: "application/json"
            )
            #expect(posted.status == 200)
            #expect(await server.pendingFaults() == [EmulatorFault(endpoint: .credits, kind: .status(500))])
            #expect(try await EmulatorHTTP(base: base).get("/v1/get-user-credits").status == 500)
            let bad = try await http.send("POST", "/_emulator/faults", body: Array("{}".utf8), contentType: "application/json")
            #expect(bad.status == 400)
        }
    }
}
