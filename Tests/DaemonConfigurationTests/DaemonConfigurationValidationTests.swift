import DaemonConfiguration
import SegmindCatalog
import StrictJSON
import Testing

@Suite("Validation problems")
struct DaemonConfigurationValidationTests {
    private let inbox = ConfigurationFixtures.minimalInbox

    @Test("unknown tables and misspelt keys are problems, with the key meant")
    func unknownKeys() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [api]
            requests_per_minte = 10
            [cerdits]
            warn_below = 1
            \(inbox)
            setle = 2
            """
        )
        #expect(problems.mentions("[api]", "\"requests_per_minte\"", "did you mean \"requests_per_minute\""))
        #expect(problems.mentions("unknown key \"cerdits\"", "did you mean \"credits\""))
        #expect(problems.mentions("[[inbox]] #1 \"portraits\"", "\"setle\"", "did you mean \"settle\""))
        #expect(problems.count == 3)
    }

    @Test("values of the wrong type are problems")
    func wrongTypes() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [api]
            requests_per_minute = "50"
            max_in_flight = 4.0
            connect_timeout = "10s"
            [credits]
            warn_below = "2"
            [state]
            dir = 7
            \(inbox)
            network_filesystem = "yes"
            defaults = "none"
            """
        )
        #expect(problems.mentions("requests_per_minute", "must be an integer, got a string"))
        #expect(problems.mentions("max_in_flight", "must be an integer, got a floating-point number"))
        #expect(problems.mentions("connect_timeout", "must be a number of seconds, got a string"))
        #expect(problems.mentions("warn_below", "must be a number"))
        #expect(problems.mentions("[state] dir", "must be a string, got an integer"))
        #expect(problems.mentions("network_filesystem", "true or false"))
        #expect(problems.mentions("defaults", "must be a table"))
        #expect(problems.count == 7)
    }

    @Test(
        "numbers out of range are problems",
        arguments: [
            ("[api]\nrequests_per_minute = 0", "requests_per_minute"),
            ("[api]\nrequests_per_minute = 10001", "requests_per_minute"),
            ("[api]\nrequest_burst = 0", "request_burst"),
            // More than the minute's requests at once: the window would cut it short anyway.
            ("[api]\nrequests_per_minute = 30\nrequest_burst = 31", "request_burst"),
            ("[api]\nmax_in_flight = 0", "max_in_flight"),
            ("[api]\nmax_in_flight = 257", "max_in_flight"),
            ("[api]\nconnect_timeout = 0", "connect_timeout"),
            ("[api]\nrequest_timeout = -1", "request_timeout"),
            ("[api]\ndownload_timeout = inf", "download_timeout"),
            ("[api]\ndownload_timeout = 1e30", "download_timeout"),
            ("[credits]\nwarn_below = -0.5", "warn_below"),
            ("[credits]\nwarn_below = nan", "warn_below"),
        ]
    )
    func outOfRange(table: String, key: String) throws {
        let problems = try ConfigurationFixtures.problems(table + "\n" + inbox)
        #expect(problems.count == 1)
        #expect(problems.mentions(key))
    }

    @Test("inbox durations have their own lower bounds")
    func inboxDurations() throws {
        let problems = try ConfigurationFixtures.problems(
            inbox + """

                settle = 0.05
                orphan_after = 0
                rescan_interval = 0.0001
                """
        )
        #expect(problems.mentions("settle", "at least 0.1 s", "0.05"))
        #expect(problems.mentions("orphan_after", "more than 0 s"))
        #expect(problems.mentions("rescan_interval", "more than 0 s"))
        #expect(problems.count == 3)
        #expect(try ConfigurationFixtures.parse(inbox + "\nsettle = 0.1").inboxes[0].settle == .milliseconds(100))
    }

    @Test("an inbox without name, path or outbox, or no inbox at all, is a problem")
    func missingRequiredKeys() throws {
        let problems = try ConfigurationFixtures.problems("[[inbox]]\nmodel = \"flux-pulid\"")
        for key in ["name", "path", "outbox"] {
            #expect(problems.mentions("[[inbox]] #1 \(key): is required"))
        }
        #expect(try ConfigurationFixtures.problems("[api]\nbase_url = \"emulator\"").mentions("no [[inbox]]"))
        #expect(try ConfigurationFixtures.problems("[inbox]\nname = \"x\"").mentions("[[inbox]]", "array of tables"))
    }

    @Test("relative paths are problems")
    func relativePaths() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [api]
            key_file = "segmind-api-key"
            [state]
            dir = "state"
            [[inbox]]
            name = "a"
            path = "srv/in"
            outbox = "./out"
            """
        )
        for key in ["[api] key_file", "[state] dir", "path", "outbox"] {
            #expect(problems.mentions(key, "must be an absolute path"))
        }
        #expect(problems.count == 4)
    }

    @Test("duplicate names and paths, nested inboxes and an inbox at an outbox are problems")
    func overlappingFolders() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [[inbox]]
            name = "a"
            path = "/srv/in/a"
            outbox = "/srv/out/a"
            [[inbox]]
            name = "a"
            path = "/srv/in/a/"
            outbox = "/srv/out/b"
            [[inbox]]
            name = "nested"
            path = "/srv/in/a/deeper"
            outbox = "/srv/out/c"
            [[inbox]]
            name = "at-outbox"
            path = "/srv/out/c"
            outbox = "/srv/out/d"
            """
        )
        #expect(problems.mentions("\"a\"", "name is used by more than one inbox"))
        #expect(problems.mentions("/srv/in/a is also the path of"))
        #expect(problems.mentions("\"nested\" path", "lies inside the inbox"))
        #expect(problems.mentions("\"at-outbox\" path", "/srv/out/c is the outbox of [[inbox]] \"nested\""))
    }

    @Test("an outbox inside an inbox is a problem: results would be taken as drops")
    func outboxInsideInbox() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [[inbox]]
            name = "a"
            path = "/srv/a"
            outbox = "/srv/a/results"
            """
        )
        #expect(
            problems == [
                "[[inbox]] \"a\" outbox: /srv/a/results lies inside the inbox [[inbox]] \"a\"; results would be taken as new drops"
            ]
        )
    }

    @Test(
        "base_url is the emulator or an http(s) origin without credentials",
        arguments: [
            "ftp://api.segmind.com", "api.segmind.com", "https://user:pass@api.segmind.com", "https://api.segmind.com?k=1", "",
        ]
    )
    func badBaseURL(url: String) throws {
        let problems = try ConfigurationFixtures.problems("[api]\nbase_url = \"\(url)\"\n" + inbox)
        #expect(problems.count == 1)
        #expect(problems.mentions("[api] base_url", "\"emulator\""))
        #expect(!problems.joined().contains("pass@"), "the rejected URL is not repeated")
    }

    @Test("an unknown model and an unknown sidecar policy are problems")
    func unknownModel() throws {
        let problems = try ConfigurationFixtures.problems(inbox + "\nmodel = \"flux-pulid-xl\"\nsidecar = \"sometimes\"")
        #expect(problems.mentions("model", "unknown model \"flux-pulid-xl\"", "flux-pulid, "))
        #expect(problems.mentions("sidecar", "\"required\" or \"optional\""))
        #expect(problems.count == 2)
    }

    @Test("inbox defaults are checked against the model, but a missing prompt is left to the sidecars")
    func defaultsChecked() throws {
        let problems = try ConfigurationFixtures.problems(
            inbox + """

                model = "flux-pulid"
                [inbox.defaults]
                num_steps = 50
                width = "wide"
                main_face_image = "https://example.com/face.jpg"
                """
        )
        #expect(problems.mentions("defaults", "num_steps"))
        #expect(problems.mentions("defaults", "width"))
        #expect(problems.mentions("defaults", "main_face_image", "filled from the dropped image"))
        #expect(!problems.mentions("prompt"))
        #expect(problems.count == 3)

        let accepted = try ConfigurationFixtures.parse(inbox + "\nmodel = \"flux-pulid\"\n[inbox.defaults]\nnum_steps = 20")
        #expect(accepted.inboxes[0].defaults == ["num_steps": .integer(20)])
        #expect(accepted.warnings.isEmpty)
    }

    @Test("defaults naming their own model are checked against it; dates have no JSON form")
    func defaultsWithModel() throws {
        let problems = try ConfigurationFixtures.problems(
            inbox + """

                [inbox.defaults]
                model = "no-such-model"
                taken = 2024-01-01
                """
        )
        #expect(problems.mentions("defaults", "unknown model \"no-such-model\""))
        #expect(problems.mentions("defaults.taken", "no JSON form"))
        #expect(problems.count == 2)
    }

    @Test("an optional-sidecar inbox warns when its defaults alone cannot make a job")
    func optionalSidecarWarning() throws {
        let configuration = try ConfigurationFixtures.parse(
            inbox + """

                model = "flux-pulid"
                sidecar = "optional"
                [inbox.defaults]
                seed = 1
                colour = "blue"
                """
        )
        #expect(configuration.warnings.mentions("without a sidecar will fail", "prompt"))
        #expect(configuration.warnings.mentions("colour", "not a known parameter"))
        #expect(configuration.inboxes[0].defaults["colour"] == .string("blue"))
        #expect(configuration.description.contains("warnings:"))
    }

    @Test(
        "an API key anywhere in the file is refused, naming the three places it belongs",
        arguments: [
            "[api]\napi_key = \"sk-abc123\"\n", "key = \"sk-abc123\"\n[api]\n", "[api]\nX-API-Key = \"sk-abc123\"\n",
        ]
    )
    func keyRefused(prefix: String) throws {
        let problems = try ConfigurationFixtures.problems(prefix + inbox)
        let problem = try #require(problems.first)
        #expect(problems.count == 1, "the key is not also reported as unknown")
        #expect(problem.contains("never goes in the configuration file"))
        #expect(problem.contains("segmind-api-key"))
        #expect(problem.contains("key_file"))
        #expect(problem.contains("SEGMIND_API_KEY"))
        #expect(!problem.contains("sk-abc123"))
    }

    @Test("an API key inside inbox defaults is refused too, with its location")
    func keyInDefaultsRefused() throws {
        let problems = try ConfigurationFixtures.problems(inbox + "\nmodel = \"flux-pulid\"\n[inbox.defaults]\napi_key = \"sk-1\"")
        #expect(problems.count == 1)
        #expect(problems.mentions("inbox[1].defaults.api_key", "never goes in the configuration file"))
    }

    @Test("every problem is reported at once, one per line")
    func severalAtOnce() throws {
        let catalog = try ModelCatalog.bundled()
        let text = """
            [api]
            requests_per_minute = 0
            max_in_flight = 1000
            api_key = "x"
            [state]
            dir = "relative"
            [[inbox]]
            name = "a"
            path = "in"
            """
        let error = try #require(throws: ConfigurationError.self) {
            try DaemonConfiguration.parse(toml: text, catalog: catalog, environment: [:])
        }
        guard case .invalid(let problems) = error else {
            Issue.record("expected .invalid, got \(error)")
            return
        }
        #expect(problems.count == 6)
        let lines = error.description.split(separator: "\n")
        #expect(lines.first == "the configuration has 6 problems:")
        #expect(lines.dropFirst().map(String.init) == problems.map { "  - \($0)" })
    }
}
