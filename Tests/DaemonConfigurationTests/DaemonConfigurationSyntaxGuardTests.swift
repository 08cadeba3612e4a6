import DaemonConfiguration
import SegmindCatalog
import StrictJSON
import Testing

/// Inputs found by fuzzing (`scripts/fuzz`) that made TOMLKit's bundled toml++ abort the process on an
/// internal assertion. Each must now be an ordinary syntax error; before the guard, each of these
/// tests crashed the test process.
@Suite("TOML text that would abort the parser")
struct DaemonConfigurationSyntaxGuardTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let text: String
        let line: Int
        let column: Int
        let message: String

        var testDescription: String { text.debugDescription }
    }

    static let hazards: [Case] = [
        // A table name that does not start with a key character.
        Case(text: "[=", line: 1, column: 2, message: "expected a table name after '['"),
        Case(text: "[api]\n[{a = 1}]\n", line: 2, column: 2, message: "expected a table name after '['"),
        Case(text: "[[[1]]]\n", line: 1, column: 3, message: "expected a table name after '['"),
        Case(text: "[[ \t#inbox]]\n", line: 1, column: 5, message: "expected a table name after '['"),
        Case(text: "[\nname = 1\n", line: 1, column: 2, message: "expected a table name after '['"),
        // An array element that starts with '}' or a Unicode line separator.
        Case(text: "a = [}]\n", line: 1, column: 6, message: "expected a value or ']' in the array, found '}'"),
        Case(
            text: "a = [1,\n  # note\n  }]\n",
            line: 3,
            column: 3,
            message: "expected a value or ']' in the array, found '}'"
        ),
        Case(
            text: "a = { b = [[}]] }\n",
            line: 1,
            column: 13,
            message: "expected a value or ']' in the array, found '}'"
        ),
        Case(
            text: "a = [\u{2028}]\n",
            line: 1,
            column: 6,
            message: "a Unicode line separator is not a TOML line break; write \\u2028 inside a string"
        ),
        Case(
            text: "a = [\u{85}]\n",
            line: 1,
            column: 6,
            message: "a Unicode line separator is not a TOML line break; write \\u2028 inside a string"
        ),
        // A date-time without a digit after its 'T'.
        Case(
            text: "a = 1979-05-27T:32:00\n",
            line: 1,
            column: 16,
            message: "expected the time (hh:mm:ss) after the 'T' of a date-time"
        ),
        Case(
            text: "a = 1979-05-27t'''32:00Z\n",
            line: 1,
            column: 16,
            message: "expected the time (hh:mm:ss) after the 'T' of a date-time"
        ),
        // A date, a space, one digit and the end of the value.
        Case(
            text: "a = 1979-05-27 1\nb = 2\n",
            line: 1,
            column: 16,
            message: "a date followed by a space must go on with a time (hh:mm:ss)"
        ),
        Case(
            text: "a = [1_979-05-27 0, 2]\n",
            line: 1,
            column: 18,
            message: "a date followed by a space must go on with a time (hh:mm:ss)"
        ),
        Case(
            text: "a = {b = 1979-05-27 1}\n",
            line: 1,
            column: 21,
            message: "a date followed by a space must go on with a time (hh:mm:ss)"
        ),
        Case(
            text: "a =97=9-05-27 0]\nname = 1\n",
            line: 1,
            column: 15,
            message: "a date followed by a space must go on with a time (hh:mm:ss)"
        ),
        Case(
            text: "a = 1979-05-2x 1\n",
            line: 1,
            column: 16,
            message: "a date followed by a space must go on with a time (hh:mm:ss)"
        ),
    ]

    @Test("is a syntax error at the offending character", arguments: hazards)
    func hazard(_ hazard: Case) throws {
        let error = try Self.syntaxError(hazard.text)
        #expect(error == .syntax(line: hazard.line, column: hazard.column, message: hazard.message))
    }

    @Test("an error toml++ finds earlier in the file is the one reported")
    func earlierErrorWins() throws {
        let error = try Self.syntaxError("[api]\nmax_in_flight = = 4\n[=\n")
        guard case .syntax(let line, _, let message) = error else {
            Issue.record("expected .syntax, got \(error)")
            return
        }
        #expect(line == 2)
        #expect(message != "expected a table name after '['")
    }

    @Test("lookalikes inside strings, comments and values are read as TOML")
    func lookalikesAreAccepted() throws {
        let configuration = try ConfigurationFixtures.parse(
            #"""
            # [{ a comment, not a header
            [ "api" ]
            base_url = "emulator" # [= neither
            [[ inbox ]]
            name = "portraits"
            path = '/srv/in/[{'
            outbox = "/srv/out/\"[{"
            [inbox.defaults]
            prompt = """
            [{ at the start of a line in a string
            [[[1]]] }] "quoted" ""\""""
            negative_prompt = '''
            [= also in a literal one ''""'''
            steps = [
              [1, 2],
              [ { x = "}" } ],
              # }] in a comment
              ["]", '}', """}"""],
            ]
            """#
        )
        let inbox = try #require(configuration.inboxes.first)
        #expect(configuration.api.baseURL == .emulator)
        #expect(inbox.path == "/srv/in/[{")
        #expect(inbox.outbox == "/srv/out/\"[{")
        #expect(inbox.defaults["prompt"] == .string("[{ at the start of a line in a string\n[[[1]]] }] \"quoted\" \"\"\""))
        #expect(inbox.defaults["negative_prompt"] == .string("[= also in a literal one ''\"\""))
        #expect(inbox.defaults["steps"] == [[1, 2], [["x": "}"]], ["]", "}", "}"]])
    }

    @Test("dates and times in every form get past the parser to the configuration checks")
    func dateTimesAreParsed() throws {
        let problems = try ConfigurationFixtures.problems(
            ConfigurationFixtures.minimalInbox + """

                [inbox.defaults]
                when = [1979-05-27T07:32:00Z, 1979-05-27 07:32:00.5, 1979-05-27t07:32:00-07:00, 1979-05-27, 07:32:00]
                at = { local = 1979-05-27 07:32:00 }
                """
        )
        #expect(problems.mentions("defaults.when[1]", "date or time"))
        #expect(problems.mentions("defaults.at.local", "date or time"))
    }

    private static func syntaxError(_ text: String) throws -> ConfigurationError {
        let catalog = try ModelCatalog.bundled()
        return try #require(throws: ConfigurationError.self) {
            try DaemonConfiguration.parse(toml: text, catalog: catalog, environment: [:])
        }
    }
}
