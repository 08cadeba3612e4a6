import DaemonConfiguration
import Testing

@Suite("output_name: templates for the pictures' names")
struct OutputNameTemplateTests {
    static let values = [
        "job": "lisa", "seed": "42", "model": "flux-pulid", "date": "2026-12-06", "time": "101500", "inbox": "portraits", "attempt": "2",
        "request_id": "r-1",
    ]

    @Test("placeholders are filled; {n} numbers the pictures, and is added when a generation has several and the template has none")
    func expansion() throws {
        #expect(OutputNameTemplate.standard.expand(Self.values, index: 1, total: 1) == "lisa-1")
        let dated = try OutputNameTemplate("{date}_{job}_{seed}_{model}")
        #expect(dated.expand(Self.values, index: 1, total: 1) == "2026-12-06_lisa_42_flux-pulid")
        #expect(dated.expand(Self.values, index: 2, total: 3) == "2026-12-06_lisa_42_flux-pulid-2")
        let numbered = try OutputNameTemplate("{n}-{job} try {attempt} at {time} ({request_id}, {inbox})")
        #expect(numbered.expand(Self.values, index: 3, total: 4) == "3-lisa try 2 at 101500 (r-1, portraits)")
    }

    @Test("a value never makes a path or a hidden file")
    func sanitized() throws {
        let template = try OutputNameTemplate("{job}")
        #expect(template.expand(["job": "../etc/passwd"], index: 1, total: 1) == "_.._etc_passwd")
        #expect(template.expand(["job": "a/b\u{0}c"], index: 1, total: 1) == "a_b_c")
        #expect(template.expand([:], index: 1, total: 1) == "_")
    }

    @Test(
        "bad templates are refused with the reason",
        arguments: [
            ("", "must not be empty"), ("a/{job}", "'/'"), (".{job}", "start with '.'"), ("{job", "without its '}'"),
            ("job}", "without its '{'"), ("{jobname}", "unknown placeholder {jobname}"), (String(repeating: "x", count: 201), "at most 200"),
        ]
    )
    func refused(_ text: String, _ reason: String) {
        #expect(throws: OutputNameTemplate.Problem.self) { try OutputNameTemplate(text) }
        do {
            _ = try OutputNameTemplate(text)
        } catch {
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test("the configuration reads output_name and names the inbox and key of a bad one")
    func configuration() throws {
        let configuration = try ConfigurationFixtures.parse(ConfigurationFixtures.minimalInbox + "\noutput_name = \"{job}-{seed}\"")
        #expect(configuration.inboxes[0].outputName.text == "{job}-{seed}")
        #expect(try ConfigurationFixtures.parse(ConfigurationFixtures.minimalInbox).inboxes[0].outputName == .standard)
        let problems = try ConfigurationFixtures.problems(ConfigurationFixtures.minimalInbox + "\noutput_name = \"{nope}\"")
        #expect(problems.mentions("portraits", "output_name", "unknown placeholder {nope}"), "\(problems)")
    }
}
