import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

@Suite("Emulator job timeline")
struct EmulatorTimelineTests {
    let face = try! Fixtures.bytes(Fixtures.faceJPEG)

    @Test("a job goes QUEUED → PROCESSING → COMPLETED and answers the documented bodies")
    func stateMachine() async throws {
        // Queue 1 s, run 13.1 s × 0.1 ≈ 1.3 s: both phases are long enough to be seen on a busy machine.
        let configuration = EmulatorConfiguration(timeScale: 0.1, queueSeconds: 10)
        try await withEmulator(configuration) { _, base in
            let http = EmulatorHTTP(base: base)
            let submitted = try await http.submit("flux-pulid", .fluxBody(face: face))
            #expect(submitted.status == 200)
            let id = try #require(submitted.json?["request_id"]?.stringValue)
            #expect(UUID(uuidString: id) != nil)
            #expect(submitted.json?["status"] == "QUEUED")
            #expect(submitted.json?["poll_url"]?.stringValue == "\(base.absoluteString)/v1/requests/\(id)")
            #expect(submitted.json?["status_url"]?.stringValue == "\(base.absoluteString)/v2/requests/\(id)/status")
            #expect(submitted.json?["response_url"]?.stringValue == "\(base.absoluteString)/v2/requests/\(id)")

            var seen: [String] = []
            _ = try await http.pollStatus(id) { reply in
                let status = reply.json?["status"]?.stringValue ?? "?"
                if seen.last != status { seen.append(status) }
                if status == "QUEUED" {
                    #expect(reply.json?["status_url"] != nil && reply.json?["metrics"] == .object([:]))
                }
                return status == "COMPLETED"
            }
            #expect(seen == ["QUEUED", "PROCESSING", "COMPLETED"])

            let status = try await http.get("/v2/requests/\(id)/status")
            #expect(status.json?["metrics"]?["inference_time"]?.doubleValue != nil)
            #expect(status.json?["output"] == nil)

            let result = try await http.get("/v2/requests/\(id)")
            #expect(result.status == 200)
            #expect(result.json?["status"] == "COMPLETED")
            #expect(result.json?["error"] == .null)
            for key in ["inference_time", "queue_time", "total_time", "cost", "remaining_credits"] {
                #expect(result.json?["metrics"]?[key]?.doubleValue != nil, "metrics.\(key)")
            }
            let output = try #require(result.json?["output"]?.stringValue)
            #expect(result.json?["images"]?[0]?["url"]?.stringValue == output)

            let v1 = try await http.get("/v1/requests/\(id)")
            #expect(v1.status == 200 && v1.json?["output"]?.stringValue == output)
        }
    }

    @Test("a prompt with the fail token ends FAILED, served as 422 on status and result, and is refunded")
    func failedJob() async throws {
        // A second of model time, so the refund cannot land before the balance is first read.
        try await withEmulator(EmulatorConfiguration(timeScale: 0.1)) { server, base in
            let http = EmulatorHTTP(base: base)
            let submitted = try await http.submit("flux-pulid", .fluxBody(face: face, prompt: "x emulator:fail y"))
            let id = try #require(submitted.json?["request_id"]?.stringValue)
            #expect(await server.balance().credits < 100)

            let status = try await http.pollStatus(id) { $0.status == 422 }
            #expect(status.status == 422)
            #expect(status.json?["status"] == "FAILED")
            #expect(status.json?["error"]?.stringValue == "Content blocked by the model's safety filter")
            #expect(status.json?["request_id"]?.stringValue == id)
            #expect(status.json?["metrics"]?["inference_time"] != nil)

            let result = try await http.get("/v2/requests/\(id)")
            #expect(result.status == 422)
            #expect(result.json?["status"] == "FAILED")
            #expect(await server.balance().credits == 100)
            let credits = try await http.get("/v1/get-user-credits")
            #expect(credits.json?["credits"]?.doubleValue == 100)
        }
    }

    @Test("a record older than its time to live answers 404 on every poll")
    func expiry() async throws {
        var configuration = EmulatorConfiguration(timeScale: 0.001)
        configuration.recordTimeToLive = 2
        try await withEmulator(configuration) { _, base in
            let http = EmulatorHTTP(base: base)
            let id = try #require(try await http.submit("flux-pulid", .fluxBody(face: face)).json?["request_id"]?.stringValue)
            #expect(try await http.get("/v2/requests/\(id)/status").status == 200)
            try await Task.sleep(for: .milliseconds(2200))
            for path in ["/v2/requests/\(id)/status", "/v2/requests/\(id)", "/v1/requests/\(id)"] {
                let reply = try await http.get(path)
                #expect(reply.status == 404)
                #expect(reply.error == "Request \(id) not found")
            }
            let unknown = try await http.get("/v2/requests/00000000-0000-4000-8000-000000000000/status")
            #expect(unknown.status == 404 && unknown.error == "Request 00000000-0000-4000-8000-000000000000 not found")
        }
    }
}

extension EmulatorTimelineTests {
    @Test("a run time set per model replaces the catalog's figure, scaled like it")
    func runTimeOverride() async throws {
        // flux-pulid's catalog figure is 13.1 s; this server runs it 2 s, × 0.1, after no queue.
        var configuration = EmulatorConfiguration(timeScale: 0.1, queueSeconds: 0)
        configuration.runSeconds = ["flux-pulid": 2]
        try await withEmulator(configuration) { server, base in
            let http = EmulatorHTTP(base: base)
            let submitted = try await http.submit("flux-pulid", .fluxBody(face: face))
            let id = try #require(submitted.json?["request_id"]?.stringValue)
            _ = try await http.pollStatus(id) { $0.json?["status"]?.stringValue == "COMPLETED" }
            let result = try await http.get("/v2/requests/\(id)")
            #expect(result.json?["metrics"]?["inference_time"]?.doubleValue == 0.2)
            let job = try #require(await server.stats().jobs.first)
            #expect(abs(job.runSeconds - 0.2) < 1e-6)
        }
    }
}
