import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

@Suite("Emulator stats")
struct EmulatorStatsTests {
    let face = try! Fixtures.bytes(Fixtures.faceJPEG)

    @Test("stats count requests by endpoint and, per billed submit, its polls, downloads and detection")
    func finishedJob() async throws {
        // No queue and no run time: the job is finished the moment it is accepted.
        try await withEmulator(EmulatorConfiguration(timeScale: 0, queueSeconds: 0)) { server, base in
            let http = EmulatorHTTP(base: base)
            let id = try #require(try await http.submit("flux-pulid", .fluxBody(face: face, prompt: "drop-7")).json?["request_id"]?.stringValue)
            _ = try await EmulatorHTTP(base: base, key: "wrong").submit("flux-pulid", .fluxBody(face: face))
            _ = try await http.get("/v2/requests/\(id)/status")
            let result = try await http.get("/v2/requests/\(id)")
            let output = try #require(result.json?["output"]?.stringValue)
            #expect(try await http.get(output).status == 200)
            _ = try await http.get("/v1/get-user-credits")

            let stats = await server.stats()
            #expect(stats.requestsByEndpoint == [.submit: 2, .status: 1, .result: 1, .output: 1, .credits: 1])
            #expect(stats.jobs.count == 1)
            let job = try #require(stats.jobs.first)
            #expect(job.requestID == id && job.model == "flux-pulid" && job.prompt == "drop-7" && !job.failed)
            #expect(job.statusPolls == 1 && job.resultPolls == 1 && job.downloads == 1)
            #expect(job.runSeconds == 0)
            let first = try #require(job.firstPollAfterFinish)
            let lag = try #require(job.detectionLag)
            #expect(lag >= 0 && first <= job.firstResultAfterFinish!)

            let remote = try await http.get("/_emulator/stats")
            #expect(remote.status == 200)
            #expect(remote.json?["requests"]?["submit"]?.intValue == 2)
            #expect(remote.json?["requests"]?["upload"]?.intValue == 0)
            let served = try #require(remote.json?["jobs"]?[0])
            #expect(served["request_id"]?.stringValue == id && served["prompt"]?.stringValue == "drop-7")
            #expect(served["status_polls"]?.intValue == 1 && served["downloads"]?.intValue == 1)
            let finishedAt = try #require(served["finished_at"]?.doubleValue)
            #expect(abs(finishedAt - job.finishedAt.timeIntervalSince1970) < 0.001)
            #expect(served["first_result_after_finish"]?.doubleValue != nil)
            #expect(try await http.send("DELETE", "/_emulator/stats", body: nil, contentType: nil).status == 405)

            await server.reset()
            #expect(await server.stats() == EmulatorStats(jobs: []))
        }
    }

    @Test("a job still running has no detection yet, and its run time is the scaled queue and run time")
    func runningJob() async throws {
        // flux-pulid runs 13.1 s and queues 2 s at time scale 1: far longer than this test.
        try await withEmulator(EmulatorConfiguration(timeScale: 1)) { server, base in
            let http = EmulatorHTTP(base: base)
            let id = try #require(try await http.submit("flux-pulid", .fluxBody(face: face)).json?["request_id"]?.stringValue)
            _ = try await http.get("/v2/requests/\(id)/status")
            _ = try await http.get("/v2/requests/\(id)")

            let job = try #require(await server.stats().jobs.first)
            #expect(job.statusPolls == 1 && job.resultPolls == 1)
            #expect(job.firstPollAfterFinish == nil && job.detectionLag == nil)
            #expect(abs(job.runSeconds - 15.1) < 0.001)
        }
    }
}
