import DaemonConfiguration
import Foundation
import SegmindCatalog
import StrictJSON
import Testing

@Suite("Loading and defaults")
struct DaemonConfigurationLoadingTests {
    @Test("the documented example loads as documented")
    func exampleLoads() throws {
        let configuration = try DaemonConfiguration.load(
            path: ConfigurationFixtures.examplePath,
            catalog: ModelCatalog.bundled(),
            environment: [:]
        )
        #expect(configuration.api.baseURL == .emulator)
        #expect(configuration.api.requestsPerMinute == 50)
        #expect(configuration.api.downloadTimeout == .seconds(300))
        #expect(configuration.state.directory == "/var/lib/facedrop")
        let inbox = try #require(configuration.inboxes.first)
        #expect(configuration.inboxes.count == 1)
        #expect(inbox.name == "portraits")
        #expect(inbox.model == "flux-pulid")
        #expect(inbox.sidecar == .required)
        #expect(inbox.defaults["prompt"] == .string("studio portrait, soft light"))
        #expect(inbox.defaults["num_steps"] == .integer(20))
        #expect(configuration.warnings.isEmpty)
    }

    @Test("left-out keys take their documented defaults")
    func defaults() throws {
        let configuration = try ConfigurationFixtures.parse(ConfigurationFixtures.minimalInbox)
        #expect(configuration.api == APIConfiguration())
        #expect(configuration.api.baseURL == .url("https://api.segmind.com"))
        #expect(configuration.api.keyFile == nil)
        #expect(configuration.api.requestsPerMinute == 50)
        #expect(configuration.api.requestBurst == nil)
        #expect(configuration.api.maxInFlight == 4)
        #expect(configuration.credits.warnBelow == 2.0)
        #expect(configuration.state.directory == "/var/lib/facedrop")
        let inbox = try #require(configuration.inboxes.first)
        #expect(inbox.model == nil)
        #expect(inbox.defaults.isEmpty)
        #expect(inbox.sidecar == .required)
        #expect(inbox.settle == .seconds(2))
        #expect(inbox.orphanAfter == .seconds(600))
        #expect(inbox.rescanInterval == .seconds(300))
        #expect(inbox.networkFilesystem == false)
    }

    @Test("every key set is read, durations in fractional seconds and paths normalized")
    func everyKeyRead() throws {
        let configuration = try ConfigurationFixtures.parse(
            """
            [api]
            base_url = "http://127.0.0.1:8080/"
            key_file = "/etc/facedrop//segmind-api-key"
            requests_per_minute = 5
            request_burst = 5
            max_in_flight = 1
            connect_timeout = 2.5
            request_timeout = 7
            download_timeout = 60
            [credits]
            warn_below = 0
            [state]
            dir = "/var/lib/facedrop/./state/"
            [[inbox]]
            name = "nfs"
            path = "/mnt/share/in/../inbox/"
            outbox = "/mnt/share/out"
            sidecar = "optional"
            settle = 0.5
            orphan_after = 30
            network_filesystem = true
            [[inbox]]
            name = "local"
            path = "/srv/in"
            outbox = "/srv/out"
            rescan_interval = 45
            network_filesystem = true
            """
        )
        #expect(
            configuration.api
                == APIConfiguration(
                    baseURL: .url("http://127.0.0.1:8080"),
                    keyFile: "/etc/facedrop/segmind-api-key",
                    requestsPerMinute: 5,
                    requestBurst: 5,
                    maxInFlight: 1,
                    connectTimeout: .milliseconds(2500),
                    requestTimeout: .seconds(7),
                    downloadTimeout: .seconds(60)
                )
        )
        #expect(configuration.credits.warnBelow == 0)
        #expect(configuration.state.directory == "/var/lib/facedrop/state")
        #expect(configuration.inboxes.map(\.name) == ["nfs", "local"])
        let nfs = configuration.inboxes[0]
        #expect(nfs.path == "/mnt/share/inbox")
        #expect(nfs.sidecar == .optional)
        #expect(nfs.settle == .milliseconds(500))
        #expect(nfs.orphanAfter == .seconds(30))
        #expect(nfs.rescanInterval == .seconds(30), "a network filesystem rescans every 30 s by default")
        #expect(configuration.inboxes[1].rescanInterval == .seconds(45), "an explicit rescan_interval wins")
    }

    @Test("$STATE_DIRECTORY is the state directory unless [state] dir names one")
    func stateDirectoryFromEnvironment() throws {
        let fromSystemd = try ConfigurationFixtures.parse(
            ConfigurationFixtures.minimalInbox,
            environment: ["STATE_DIRECTORY": "/var/lib/facedrop-test"]
        )
        #expect(fromSystemd.state.directory == "/var/lib/facedrop-test")

        let several = try ConfigurationFixtures.parse(
            ConfigurationFixtures.minimalInbox,
            environment: ["STATE_DIRECTORY": "/var/lib/a:/var/lib/b"]
        )
        #expect(several.state.directory == "/var/lib/a")

        let explicit = try ConfigurationFixtures.parse(
            "[state]\ndir = \"/data/facedrop\"\n" + ConfigurationFixtures.minimalInbox,
            environment: ["STATE_DIRECTORY": "/var/lib/facedrop-test"]
        )
        #expect(explicit.state.directory == "/data/facedrop")

        let problems = try ConfigurationFixtures.problems(
            ConfigurationFixtures.minimalInbox,
            environment: ["STATE_DIRECTORY": "relative/state"]
        )
        #expect(problems.mentions("$STATE_DIRECTORY", "absolute"))
    }

    @Test("keep_journal_days: 90 by default, any number of days from 1 to a century, with $STATE_DIRECTORY too")
    func keepJournalDays() throws {
        #expect(try ConfigurationFixtures.parse(ConfigurationFixtures.minimalInbox).state.keepJournalDays == 90)
        let set = try ConfigurationFixtures.parse(
            "[state]\nkeep_journal_days = 7\n" + ConfigurationFixtures.minimalInbox,
            environment: ["STATE_DIRECTORY": "/var/lib/facedrop-test"]
        )
        #expect(set.state.keepJournalDays == 7)
        #expect(set.state.directory == "/var/lib/facedrop-test")
        for bad in ["0", "36501", "\"90\""] {
            let problems = try ConfigurationFixtures.problems("[state]\nkeep_journal_days = \(bad)\n" + ConfigurationFixtures.minimalInbox)
            #expect(problems.mentions("keep_journal_days"), "\(bad): \(problems)")
        }
    }

    @Test("a missing file is unreadable, with its path")
    func unreadable() throws {
        let catalog = try ModelCatalog.bundled()
        let path = "/nonexistent/facedrop-\(UUID().uuidString).toml"
        let error = try #require(throws: ConfigurationError.self) {
            try DaemonConfiguration.load(path: path, catalog: catalog, environment: [:])
        }
        guard case .unreadable(let reported, _) = error else {
            Issue.record("expected .unreadable, got \(error)")
            return
        }
        #expect(reported == path)
        #expect(error.description.contains(path))
    }

    @Test("a TOML syntax error reports its line and column")
    func syntaxError() throws {
        let catalog = try ModelCatalog.bundled()
        let text = "[api]\nrequests_per_minute = 50\nmax_in_flight = = 4\n"
        let error = try #require(throws: ConfigurationError.self) {
            try DaemonConfiguration.parse(toml: text, catalog: catalog, environment: [:])
        }
        guard case .syntax(let line, let column, let message) = error else {
            Issue.record("expected .syntax, got \(error)")
            return
        }
        #expect(line == 3)
        #expect(column > 1)
        #expect(!message.isEmpty)
        #expect(error.description.contains("line 3"))
    }

    @Test("a NUL byte is a syntax error at its position, not the silent end of the file")
    func nulByte() throws {
        let catalog = try ModelCatalog.bundled()
        let error = try #require(throws: ConfigurationError.self) {
            try DaemonConfiguration.parse(toml: "[api]\nmax_\u{0}in_flight = 4\n", catalog: catalog, environment: [:])
        }
        #expect(error == .syntax(line: 2, column: 5, message: "NUL character in the file"))
    }

    @Test("the description shows the configuration and where the key comes from, never the key")
    func description() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("facedrop-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("segmind-api-key")
        try Data("sk-never-printed".utf8).write(to: keyFile)
        let configFile = directory.appendingPathComponent("facedrop.toml")
        let text = try String(contentsOf: URL(fileURLWithPath: ConfigurationFixtures.examplePath), encoding: .utf8)
            .replacingOccurrences(of: "# key_file = \"/etc/facedrop/segmind-api-key\"", with: "key_file = \"\(keyFile.path)\"")
        try Data(text.utf8).write(to: configFile)

        let configuration = try DaemonConfiguration.load(
            path: configFile.path,
            catalog: ModelCatalog.bundled(),
            environment: [:]
        )
        let description = configuration.description
        #expect(configuration.api.keyFile == keyFile.path)
        #expect(description.contains("key_file \(keyFile.path)"))
        #expect(description.contains("$SEGMIND_API_KEY"))
        #expect(description.contains("[[inbox]] \"portraits\""))
        #expect(description.contains("settle 2 s"))
        #expect(description.contains("\"num_steps\":20"))
        #expect(!description.contains("sk-never-printed"))
    }
}
