import FacedropTestSupport
import FlyingFox
import FlyingSocks
import Foundation
import Hashing
import StrictJSON
import Synchronization
import Testing

/// `on_done`, `on_failed` and `webhook_url`: each runs once when a job ends, with the job's details, and runs after a
/// restart when a `kill -9` came first.
extension DaemonEndToEndTests {
    /// A hook script that writes its user, arguments and environment to a file of its own at each run.
    struct HookScript {
        /// A folder anyone may write in: a root daemon runs the script as `nobody`.
        let folder: String
        let path: String

        /// One run as the script saw it.
        struct Run {
            var uid: String
            var arguments: [String] = []
            var environment: [String: String] = [:]
        }

        init(base: String) {
            folder = "\(base)/hooks"
            path = "\(folder)/hook.sh"
        }

        func write() throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder)
            // Each run writes a file of its own, whole (runs of two jobs may overlap).
            let script = """
                #!/bin/sh
                name=$$-$(date +%s%N)
                {
                  printf 'run uid=%s\\n' "$(id -u)"
                  for argument in "$@"; do printf 'arg=%s\\n' "$argument"; done
                  env | sort | sed 's/^/env /'
                } > '\(folder)/.run-'$name
                mv '\(folder)/.run-'$name '\(folder)/run-'$name'.log'
                echo "hook output for $FACEDROP_JOB"
                """
            try Data(script.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }

        /// The runs so far.
        func runs() -> [Run] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("run-") }.sorted()
            let text = names.compactMap { try? String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) }.joined()
            var runs: [Run] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if line.hasPrefix("run uid=") {
                    runs.append(Run(uid: String(line.dropFirst("run uid=".count))))
                } else if line.hasPrefix("arg="), !runs.isEmpty {
                    runs[runs.count - 1].arguments.append(String(line.dropFirst(4)))
                } else if line.hasPrefix("env "), !runs.isEmpty, let equals = line.firstIndex(of: "=") {
                    let name = String(line[line.index(line.startIndex, offsetBy: 4)..<equals])
                    runs[runs.count - 1].environment[name] = String(line[line.index(after: equals)...])
                }
            }
            return runs
        }
    }

    /// A root daemon runs commands only as `hook_user`; the tests' is `nobody`.
    static var hookUserLines: [String] { getuid() == 0 ? ["hook_user = \"nobody\""] : [] }
    static var hookUID: String { getuid() == 0 ? "65534" : "\(getuid())" }

    /// The `warnings/<time>-hook-failed[-n].json` files.
    static func hookWarnings(_ daemon: DaemonHarness) -> [String] {
        daemon.warnings(endingWith: ".json").filter { $0.contains("-hook-failed") }
    }

    /// The folder that holds the harness's state folder.
    static func base(of settings: DaemonSettings) -> String {
        (settings.stateDirectory as NSString).deletingLastPathComponent
    }

    @Test("on_done and on_failed run once each, with the job folder last and the job's variables in a minimal environment")
    func commandHooks() async throws {
        var script: HookScript?
        try await withDaemon(configure: { settings in
            let hook = HookScript(base: Self.base(of: settings))
            script = hook
            settings.inboxes[0].extraLines =
                [
                    "on_done = [\(DaemonSettings.quoted(hook.path)), \"--tag\", \"done hook\"]",
                    "on_failed = [\(DaemonSettings.quoted(hook.path)), \"--failed\"]",
                ] + Self.hookUserLines
        }) { _, daemon in
            let script = try #require(script)
            try script.write()
            try daemon.dropJob("good", sidecar: Self.fluxSidecar)
            try daemon.dropJob("bad", sidecar: #"{"model":"instantid","prompt":"emulator:fail please"}"#)
            // Both finished, not only started: a command still running when the daemon stops below runs again.
            try await daemon.waitFor("both hooks to run and end") { script.runs().count >= 2 && daemon.occurrences(of: "hook ran") >= 2 }

            let runs = script.runs()
            let done = try #require(runs.first { $0.environment["FACEDROP_STATUS"] == "done" })
            let folder = daemon.jobFolder(.done, "good")
            let result = try daemon.record(.done, "good")
            #expect(done.uid == Self.hookUID)
            #expect(done.arguments == ["--tag", "done hook", folder])
            #expect(done.environment["FACEDROP_JOB"] == "good")
            #expect(done.environment["FACEDROP_INBOX"] == "main")
            #expect(done.environment["FACEDROP_FOLDER"] == folder)
            #expect(done.environment["FACEDROP_RESULT"] == "\(folder)/result.json")
            #expect(done.environment["FACEDROP_MODEL"] == "flux-pulid")
            #expect(done.environment["FACEDROP_REQUEST_ID"] == result["request_id"]?.stringValue)
            #expect(done.environment["FACEDROP_REQUEST_ID"]?.isEmpty == false)
            #expect(Double(done.environment["FACEDROP_COST"] ?? "") != nil, "\(done.environment)")
            #expect(done.environment["FACEDROP_CODE"] == nil)
            let allowed: Set<String> = ["PATH", "LANG", "PWD", "SHLVL", "_", "OLDPWD"]
            let unexpected = done.environment.keys.filter { !$0.hasPrefix("FACEDROP_") && !allowed.contains($0) }
            #expect(unexpected.isEmpty, "the hook's environment holds \(unexpected)")

            let failed = try #require(runs.first { $0.environment["FACEDROP_STATUS"] == "failed" })
            let failedFolder = daemon.jobFolder(.failed, "bad")
            let error = try daemon.expectFailed("bad", code: "failed")
            #expect(failed.arguments == ["--failed", failedFolder])
            #expect(failed.environment["FACEDROP_CODE"] == error["code"]?.stringValue)
            #expect(failed.environment["FACEDROP_RESULT"] == "\(failedFolder)/error.json")
            #expect(failed.environment["FACEDROP_JOB"] == "bad")
            #expect(daemon.log.contains("hook output for good"), "the hook's output is not in the log")

            // A restart in normal operation runs nothing again.
            await daemon.stop()
            try await daemon.start()
            try await Task.sleep(for: .milliseconds(1500))
            #expect(script.runs().count == 2, "runs: \(script.runs().map(\.environment))")
            #expect(Self.hookWarnings(daemon).isEmpty)
        }
    }

    @Test("jobs ending together: each one's command and webhook run exactly once")
    func manyJobsEachHookOnce() async throws {
        let receiver = try await WebhookReceiver.start(answers: [])
        var script: HookScript?
        try await withDaemon(configure: { settings in
            let hook = HookScript(base: Self.base(of: settings))
            script = hook
            settings.inboxes[0].extraLines =
                [
                    "on_done = [\(DaemonSettings.quoted(hook.path))]",
                    "webhook_url = \(DaemonSettings.quoted(receiver.url))",
                ] + Self.hookUserLines
        }) { _, daemon in
            let script = try #require(script)
            try script.write()
            let jobs = try dropFluxJobs(daemon, prefix: "burst", count: 8)
            try await daemon.waitFor("every hook to run") { script.runs().count >= jobs.count && receiver.requests.count >= jobs.count }
            try await Task.sleep(for: .milliseconds(1000))
            let ran = script.runs().compactMap { $0.environment["FACEDROP_JOB"] }.sorted()
            #expect(ran == jobs.map(\.stem).sorted(), "commands ran for \(ran)")
            let posted = receiver.requests.compactMap { $0.headers["X-Facedrop-Job"] }.sorted()
            #expect(posted == jobs.map(\.stem).sorted(), "webhooks posted for \(posted)")
        }
        await receiver.stop()
    }

    @Test("the webhook POSTs result.json signed with the secret; a 500 is retried and the 200 ends it")
    func webhook() async throws {
        let receiver = try await WebhookReceiver.start(answers: [500, 200])
        var secretFile = ""
        try await withDaemon(configure: { settings in
            secretFile = "\(Self.base(of: settings))/webhook-secret"
            settings.inboxes[0].extraLines = [
                "webhook_url = \(DaemonSettings.quoted(receiver.url))",
                "webhook_secret_file = \(DaemonSettings.quoted(secretFile))",
                "webhook_retry_initial = 0.2",
            ]
        }) { _, daemon in
            try Data("top secret\n".utf8).write(to: URL(fileURLWithPath: secretFile))
            try daemon.dropJob("signed", sidecar: Self.fluxSidecar)
            try await daemon.waitFor("the webhook to be retried") { receiver.requests.count >= 2 }
            try await daemon.waitFor("the delivery to be logged") { daemon.log.contains("webhook delivered") }
            try await Task.sleep(for: .milliseconds(800))
            let requests = receiver.requests
            #expect(requests.count == 2, "a delivered webhook was sent again")
            let body = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(daemon.jobFolder(.done, "signed"))/result.json")))
            for request in requests {
                #expect(request.body == body)
                #expect(request.headers["X-Facedrop-Event"] == "job.done")
                #expect(request.headers["X-Facedrop-Job"] == "signed")
                #expect(request.headers["Content-Type"] == "application/json")
                let expected = "sha256=" + HMACSHA256.authenticationCode(for: request.body, key: Array("top secret".utf8)).hex
                #expect(request.headers["X-Facedrop-Signature"] == expected)
            }
            #expect(requests[0].headers["X-Facedrop-Delivery"] == requests[1].headers["X-Facedrop-Delivery"])
            #expect(Self.hookWarnings(daemon).isEmpty)
        }
        await receiver.stop()
    }

    @Test("a failing command and a webhook given up are logged and warned about, and the job stays done")
    func failingHooks() async throws {
        try await withDaemon(configure: { settings in
            let textfile = "\(Self.base(of: settings))/facedrop.prom"
            settings.metrics = ["textfile = \(DaemonSettings.quoted(textfile))", "interval = 1"]
            settings.inboxes[0].extraLines =
                [
                    "on_done = [\"/bin/sh\", \"-c\", \"echo broken >&2; exit 7\"]",
                    // Port 1 on the loopback: nothing listens, the connection is refused.
                    "webhook_url = \"http://127.0.0.1:1/hook\"",
                    "webhook_retry_initial = 0.1",
                    "webhook_attempts = 2",
                ] + Self.hookUserLines
        }) { _, daemon in
            try daemon.dropJob("unlucky", sidecar: Self.fluxSidecar)
            try await daemon.waitFor("two hook warnings") { Self.hookWarnings(daemon).count >= 2 }
            #expect(daemon.jobs(.done) == ["unlucky"])
            let texts = try Self.hookWarnings(daemon).map {
                try String(contentsOfFile: "\(daemon.outbox)/warnings/\($0)", encoding: .utf8)
            }
            #expect(texts.contains { $0.contains("\"on_done\"") && $0.contains("exit 7") && $0.contains("broken") }, "\(texts)")
            #expect(texts.contains { $0.contains("\"webhook\"") && $0.contains("given up after 2 attempts") }, "\(texts)")
            #expect(daemon.log.contains("a hook failed; the job is unchanged"))
            // Each failure is counted once, by inbox and hook.
            let textfile = daemon.folder.appending("facedrop.prom")
            try await daemon.waitFor("both failures in the metrics") {
                let metrics = try? Self.readTextfile(textfile)
                return metrics?.value("facedrop_hook_failures_total", ["inbox": "main", "hook": "on_done"]) == 1
                    && metrics?.value("facedrop_hook_failures_total", ["inbox": "main", "hook": "webhook"]) == 1
            }
        }
    }

    @Test("a root daemon refuses a command without hook_user", .enabled(if: getuid() == 0))
    func refusedAsRoot() async throws {
        try await withDaemon(configure: { $0.inboxes[0].extraLines = ["on_done = [\"/bin/true\"]"] }) { _, daemon in
            try daemon.dropJob("rooted", sidecar: Self.fluxSidecar)
            try await daemon.waitFor("the refusal's warning") { !Self.hookWarnings(daemon).isEmpty }
            #expect(daemon.log.contains("hooks never run as root"))
            #expect(daemon.jobs(.done) == ["rooted"])
        }
    }

    @Test(
        "kill -9 after the job's end is journaled or its folder published, before the hook ran: the hook runs after the restart, once",
        arguments: ["done.journaled", "deliver.published"]
    )
    func hookAfterCrash(point: String) async throws {
        var script: HookScript?
        try await withDaemon(
            startDaemon: false,
            configure: { settings in
                let hook = HookScript(base: Self.base(of: settings))
                script = hook
                settings.inboxes[0].extraLines = ["on_done = [\(DaemonSettings.quoted(hook.path))]"] + Self.hookUserLines
            }
        ) { server, daemon in
            let script = try #require(script)
            try script.write()
            daemon.environment["FACEDROP_CRASH_POINT"] = point
            try await daemon.start()
            let job = try daemon.dropJob("crashed", sidecar: Self.fluxSidecar)
            let killed = await daemon.waitForExit(within: .seconds(30))
            #expect(killed?.signalled == true, "the crash point was not reached: \(String(describing: killed))")
            #expect(script.runs().isEmpty, "the hook ran before the crash")
            // Journaled with the job's end, the hook is pending; killed before that, it is not due yet.
            let pending = try await daemon.status()["hooks"]?["pending"]?.doubleValue
            #expect(pending == (point == "done.journaled" ? 1 : 0), "hooks pending: \(String(describing: pending))")
            daemon.environment["FACEDROP_CRASH_POINT"] = nil
            try await daemon.start()
            try await expectRecovered(daemon, server, jobs: [job])
            try await daemon.waitFor("the hook to run after the restart") { !script.runs().isEmpty }
            try await Task.sleep(for: .milliseconds(1000))
            let runs = script.runs()
            #expect(runs.count == 1, "the hook ran \(runs.count) times")
            #expect(runs.first?.arguments == [daemon.jobFolder(.done, "crashed")])
            #expect(try await daemon.status()["hooks"]?["pending"]?.doubleValue == 0)
        }
    }
}

/// A webhook receiver on 127.0.0.1 that answers the given statuses in turn (then 200) and records each request.
final class WebhookReceiver: Sendable {
    struct Seen: Sendable {
        var headers: [String: String]
        var body: [UInt8]
    }

    private let seen = Mutex<[Seen]>([])
    private let answers: Mutex<[Int]>
    private let server: HTTPServer
    private let task: Task<Void, any Error>
    private let port: Mutex<UInt16> = Mutex(0)

    var url: String { "http://127.0.0.1:\(port.withLock { $0 })/hooks/facedrop" }
    var requests: [Seen] { seen.withLock { $0 } }

    private init(answers: [Int], server: HTTPServer, task: Task<Void, any Error>) {
        self.answers = Mutex(answers)
        self.server = server
        self.task = task
    }

    static func start(answers: [Int]) async throws -> WebhookReceiver {
        let holder = Mutex<WebhookReceiver?>(nil)
        let handler = ClosureHTTPHandler { request in
            guard let receiver = holder.withLock({ $0 }) else { return FlyingFox.HTTPResponse(statusCode: .serviceUnavailable) }
            return try await receiver.answer(request)
        }
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled, handler: handler)
        let task = serverTask { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port) = await server.listeningAddress else { throw CocoaError(.fileNoSuchFile) }
        let receiver = WebhookReceiver(answers: answers, server: server, task: task)
        receiver.port.withLock { $0 = port }
        holder.withLock { $0 = receiver }
        return receiver
    }

    func stop() async {
        await server.stop()
        task.cancel()
    }

    private func answer(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        let body = [UInt8](try await request.bodyData)
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue] = value }
        seen.withLock { $0.append(Seen(headers: headers, body: body)) }
        let status = answers.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
        return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: status == 200 ? "OK" : "Failing"))
    }
}
