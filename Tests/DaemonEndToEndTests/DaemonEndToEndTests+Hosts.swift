import FacedropTestSupport
import Foundation
import SegmindEmulator
import StrictJSON
import Testing

/// Several hosts on one shared inbox (`shared = true`): each keeps a lease in `.facedrop/hosts/`, and each job's
/// steps are written into its claim folder as receipts, so the claim alone tells another host how far it got.
extension DaemonEndToEndTests {
    /// The claim folders in the inbox's `.facedrop/`, the hosts folder left out.
    func claimFolders(_ daemon: DaemonHarness) -> [String] {
        let work = "\(daemon.inbox)/.facedrop"
        return ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).filter { $0 != "hosts" }.sorted().map { "\(work)/\($0)" }
    }

    func receipt(_ step: String, in claim: String) throws -> JSONValue {
        try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(claim)/receipts/\(step).json"))))
    }

    /// The modification time of a daemon's lease file: the one whose owner names its state folder.
    func leaseTime(_ daemon: DaemonHarness) throws -> Date? {
        let hosts = "\(daemon.inbox)/.facedrop/hosts"
        for name in try FileManager.default.contentsOfDirectory(atPath: hosts) where !name.hasPrefix(".") {
            let lease = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(hosts)/\(name)"))))
            if lease["owner"]?.stringValue?.hasSuffix(":\(daemon.state)") == true {
                return try FileManager.default.attributesOfItem(atPath: "\(hosts)/\(name)")[.modificationDate] as? Date
            }
        }
        return nil
    }

    @Test(
        "a shared inbox: a job stopped once its folder was published leaves receipts of its intent, request ID and outputs in its claim; the lease is renewed; status lists the hosts and their claims"
    )
    func sharedInboxReceiptsAndLeases() async throws {
        try await withDaemon(
            startDaemon: false,
            configure: {
                $0.inboxes[0].extraLines.append("shared = true")
                $0.hosts = ["lease_interval = 1", "takeover_after = 60", "account_requests_per_minute = 1000"]
            }
        ) { server, daemon in
            daemon.environment["FACEDROP_CRASH_POINT"] = "deliver.published"
            try await daemon.start()
            _ = try daemon.dropJob("anna", sidecar: Self.fluxSidecar)
            let killed = await daemon.waitForExit(within: .seconds(30))
            #expect(killed?.signalled == true, "the crash point was not reached: \(String(describing: killed))")
            daemon.environment["FACEDROP_CRASH_POINT"] = nil

            let claims = claimFolders(daemon)
            #expect(claims.count == 1, "\(claims)")
            let claim = try #require(claims.first)
            let owner = try #require(try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(claim)/claim.json"))))["owner"]?.stringValue)
            let requestIDs = await server.ledger().entries(for: .submit).compactMap(\.requestID)
            #expect(requestIDs.count == 1)
            let intent = try receipt("intent", in: claim)
            #expect(intent["owner"]?.stringValue == owner)
            #expect(intent["model"]?.stringValue == "flux-pulid")
            let submitted = try receipt("submitted", in: claim)
            #expect(submitted["request_id"]?.stringValue == requestIDs.first)
            #expect(submitted["status_url"]?.stringValue?.contains(requestIDs.first ?? "?") == true)
            #expect(submitted["deadline"]?.stringValue != nil)
            let completed = try receipt("completed", in: claim)
            let outputs = completed["outputs"]?["outputs"]?.arrayValue ?? []
            #expect(outputs.count == 1 && outputs.allSatisfy { $0["sha256"]?.stringValue?.count == 64 }, "\(completed)")
            #expect(completed["result"] != nil && completed["result"] != .null)
            #expect(!FileManager.default.fileExists(atPath: "\(claim)/receipts/delivered.json"))

            // Status, with the daemon stopped: its lease is young and its claim is counted.
            let stopped = try await daemon.status()
            let hosts = stopped["hosts"]?["main"]?["hosts"]?.arrayValue ?? []
            #expect(hosts.count == 1, "\(stopped["hosts"] ?? .null)")
            #expect(hosts.first?["owner"]?.stringValue == owner)
            #expect(hosts.first?["claims"]?.int64Value == 1)
            #expect(hosts.first?["alive"]?.boolValue == true)

            // A second host on the share, asking for as many requests as the first: together more than the account's.
            let second = try DaemonHarness(baseURL: URL(string: daemon.settings.baseURL)!) {
                $0.inboxes[0].path = daemon.inbox
                $0.inboxes[0].outbox = daemon.outbox
                $0.inboxes[0].extraLines.append("shared = true")
                $0.hosts = ["lease_interval = 1", "takeover_after = 60", "account_requests_per_minute = 1000"]
            }
            try await daemon.start()
            try await second.start()
            try await daemon.waitFor("the job done") { daemon.jobs(.done) == ["anna"] }
            #expect(await server.ledger().submits == 1, "the restart sent the job again")
            try await daemon.waitFor("both hosts in status", timeout: .seconds(10)) {
                (try await daemon.status()["hosts"]?["main"]?["hosts"]?.arrayValue ?? []).filter { $0["alive"]?.boolValue == true }.count == 2
            }
            let both = try await daemon.status()["hosts"]?["main"]
            #expect(both?["live_requests_per_minute"]?.int64Value == 1200, "\(both ?? .null)")
            #expect(both?["account_requests_per_minute"]?.int64Value == 1000)
            try await daemon.waitFor("the warning about the account's rate limit", timeout: .seconds(10)) {
                let warning = "ask for more requests a minute than the account allows"
                return daemon.log.contains(warning) && second.log.contains(warning)
            }
            let (_, text) = try await daemon.runCommand(["status", "--config", daemon.configPath])
            #expect(text.contains("hosts of main (shared): live hosts ask for 1200 requests a minute of the account's 1000"), "\(text)")

            // Renewed every second, not only at start.
            let renewed = try #require(try leaseTime(second))
            try await daemon.waitFor("the lease renewed", timeout: .seconds(10)) { (try leaseTime(second) ?? renewed) > renewed }
            await second.stop()
            await daemon.expectClean()
        }
    }
}
