import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

@Suite("Emulator refusals")
struct EmulatorRefusalTests {
    let face = try! Fixtures.bytes(Fixtures.faceJPEG)

    @Test("a missing and a wrong key get Segmind's two 401 bodies, on submit and on polls")
    func unauthorized() async throws {
        try await withEmulator { server, base in
            let missing = EmulatorHTTP(base: base, key: nil)
            let wrong = EmulatorHTTP(base: base, key: "not-the-key")
            let noKey = try await missing.submit("flux-pulid", .fluxBody(face: face))
            #expect(noKey.status == 401 && noKey.error == "Missing Authorization or x-api-key in header")
            let badKey = try await wrong.submit("flux-pulid", .fluxBody(face: face))
            #expect(badKey.status == 401 && badKey.error == "Unauthorized. API key is invalid or may have expired...")
            #expect(try await wrong.get("/v2/requests/abc/status").status == 401)
            #expect(try await missing.get("/v1/get-user-credits").status == 401)
            #expect(await server.ledger().billedSubmits == 0)
        }
    }

    @Test("406 tells a low balance from a wrong content type by its message")
    func notAcceptable() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            await server.setCredits(0.01, free: 0)
            let poor = try await http.submit("pulid-base", .object(["face_image": .string(Data(face).base64EncodedString())]))
            #expect(poor.status == 406)
            #expect(poor.error == "Insufficient credits. Balance: 0.01, required: 0.205")

            let wrongType = try await http.submit("flux-pulid", .fluxBody(face: face), contentType: "text/plain")
            #expect(wrongType.status == 406 && wrongType.error == "Invalid content type")

            await server.setCredits(1)
            #expect(try await http.submit("pulid-base", .object(["face_image": .string(Data(face).base64EncodedString())])).status == 200)
            #expect(await server.ledger().billedSubmits == 1)
        }
    }

    @Test("past the requests-per-minute limit the answer is 429 with x-rate-limit-reset-at-utc and no Retry-After")
    func rateLimited() async throws {
        let configuration = EmulatorConfiguration(timeScale: 0.01, requestsPerMinute: 2)
        try await withEmulator(configuration) { server, base in
            let http = EmulatorHTTP(base: base)
            let first = try await http.submit("flux-pulid", .fluxBody(face: face))
            let id = try #require(first.json?["request_id"]?.stringValue)
            #expect(try await http.get("/v2/requests/\(id)/status").status == 200)  // polls count
            let refused = try await http.submit("flux-pulid", .fluxBody(face: face))
            #expect(refused.status == 429)
            #expect(refused.header("retry-after") == nil)
            let reset = try #require(refused.header("x-rate-limit-reset-at-utc"))
            let resetDate = try Date(reset, strategy: .iso8601)
            #expect(resetDate > Date() && resetDate < Date().addingTimeInterval(62))
            #expect(try await http.get("/v1/get-user-credits").status == 200)  // free and unlimited
            #expect(await server.ledger().billedSubmits == 1)
        }
    }

    @Test("an unknown, a retired and a forbidden model get 404, 410 and 403")
    func modelAvailability() async throws {
        let configuration = EmulatorConfiguration(
            timeScale: 0.01,
            retiredModels: ["sdxl-retired"],
            forbiddenModels: ["instantid"]
        )
        try await withEmulator(configuration) { _, base in
            let http = EmulatorHTTP(base: base)
            #expect(try await http.submit("no-such-model", .fluxBody(face: face)).status == 404)
            #expect(try await http.submit("sdxl-retired", .fluxBody(face: face)).status == 410)
            let forbidden = try await http.submit("instantid", .fluxBody(face: face))
            #expect(forbidden.status == 403 && forbidden.error != nil)
        }
    }

    @Test("a body that is not an object or breaks the catalog's rules gets 400 naming the problems")
    func badRequest() async throws {
        try await withEmulator { server, base in
            let http = EmulatorHTTP(base: base)
            let notObject = try await http.send("POST", "/v2/flux-pulid", body: Array("[1, 2]".utf8), contentType: "application/json")
            #expect(notObject.status == 400)
            let broken = try await http.send("POST", "/v2/flux-pulid", body: Array("{".utf8), contentType: "application/json")
            #expect(broken.status == 400)
            let invalid = try await http.submit("flux-pulid", .object(["prompt": .string("x"), "num_outputs": .integer(99)]))
            #expect(invalid.status == 400)
            let message = try #require(invalid.error)
            #expect(message.contains("main_face_image") && message.contains("num_outputs"))
            #expect(invalid.json?["details"]?.arrayValue?.count == 2)
            #expect(await server.ledger().billedSubmits == 0)
        }
    }

    @Test("a wrong verb on a known path gets an HTML 405; an unknown path a 404")
    func routing() async throws {
        try await withEmulator { _, base in
            let http = EmulatorHTTP(base: base)
            let wrongVerb = try await http.get("/v2/flux-pulid")
            #expect(wrongVerb.status == 405)
            #expect(wrongVerb.header("content-type") == "text/html")
            #expect(String(decoding: wrongVerb.body, as: UTF8.self).contains("405 Not Allowed"))
            #expect(try await http.send("POST", "/v2/requests/abc/status", body: [], contentType: nil).status == 405)
            #expect(try await http.get("/nothing/here").status == 404)
        }
    }
}
