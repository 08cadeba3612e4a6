import Foundation
import StrictJSON
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    private func parse(_ text: String, limits: JSONParsingLimits = .default) throws(JSONParsingError) -> JSONValue {
        try JSONParser(limits: limits).parse(text)
    }

    private func reason(of bytes: [UInt8], limits: JSONParsingLimits = .default) -> JSONParsingError? {
        do {
            _ = try JSONParser(limits: limits).parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    private func reason(of text: String) -> JSONParsingError? {
        reason(of: Array(text.utf8))
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" { "a": [1, -2, 3.5, 1e2, true, false, null], "b": {"c": "d\u00e9\n"} } "#)
        #expect(value == ["a": [1, -2, 3.5, 100.0, true, false, nil], "b": ["c": "dé\n"]])
    }

    @Test func integersThatFitStayIntegers() throws {
        #expect(try parse("2778725438") == .integer(2_778_725_438))
        #expect(try parse("-9223372036854775808") == .integer(Int64.min))
        #expect(try parse("-0") == .integer(0))
        #expect(try parse("1.0") == .number(1.0))
        #expect(try parse("1E3") == .number(1000))
        // Beyond Int64 but finite: a number.
        #expect(try parse("9223372036854775808") == .number(9_223_372_036_854_775_808.0))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try parse(#""\ud83d\ude00 \u00E9""#) == .string("😀 é"))
        #expect(try parse("\"héllo 😀\"") == .string("héllo 😀"))
    }

    @Test func rejectsDuplicateKeysWithTheKeysOffset() throws {
        let error = try #require(reason(of: #"{"seed": 1, "seed": 2}"#))
        #expect(error.reason == .duplicateKey("seed"))
        #expect(error.offset == 12)
        #expect(error.description.contains("byte 12"))
    }

    @Test func rejectsDuplicateKeysInNestedObjects() throws {
        let error = try #require(reason(of: #"{"a": {"x": 1, "x": 1}}"#))
        #expect(error.reason == .duplicateKey("x"))
    }

    @Test(arguments: ["NaN", "nan", "Infinity", "-Infinity", "[1, NaN]", #"{"a": -inf}"#])
    func rejectsNaNAndInfinity(_ text: String) throws {
        let error = try #require(reason(of: text))
        #expect(error.reason == .nonFiniteLiteral)
    }

    @Test(arguments: ["1e400", "-1e400", "[1E999]", String(repeating: "9", count: 400)])
    func rejectsNumbersThatOverflow(_ text: String) throws {
        let error = try #require(reason(of: text))
        guard case .numberOutOfRange = error.reason else {
            Issue.record("expected numberOutOfRange, got \(error)")
            return
        }
    }

    @Test(arguments: ["01", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "1.e3", "--1"])
    func rejectsMalformedNumbers(_ text: String) {
        #expect(reason(of: text) != nil)
    }

    @Test func rejectsInvalidUTF8() throws {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],  // never valid
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xE2, 0x28, 0xA1, 0x22],  // bad continuation
        ]
        for bytes in cases {
            let error = try #require(reason(of: bytes))
            #expect(error.reason == .invalidUTF8, "\(bytes)")
        }
        // A non-ASCII byte outside a string is simply unexpected.
        #expect(reason(of: [0xC3, 0xA9]) != nil)
    }

    @Test func rejectsLoneSurrogates() throws {
        for text in [#""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\ud800x""#] {
            let error = try #require(reason(of: text))
            #expect(error.reason == .loneSurrogate, "\(text)")
        }
    }

    @Test func rejectsRawControlCharactersAndBadEscapes() throws {
        #expect(try #require(reason(of: "\"a\nb\"")).reason == .controlCharacterInString(0x0A))
        #expect(try #require(reason(of: "\"a\u{0}b\"")).reason == .controlCharacterInString(0))
        #expect(try #require(reason(of: #""\x41""#)).reason == .invalidEscape)
        #expect(try #require(reason(of: #""\u12G4""#)).reason == .invalidEscape)
    }

    @Test func rejectsTrailingGarbage() throws {
        for text in [#"{"a": 1} x"#, "1 2", "[] []", "nullx", "true,"] {
            #expect(reason(of: text) != nil, "\(text)")
        }
        #expect(try #require(reason(of: "{} }")).reason == .trailingData)
    }

    @Test func rejectsTruncatedInput() throws {
        let document = #"{"prompt": "a cat", "seed": [1, 2.5, true], "x": {"y": null}}"#
        let bytes = Array(document.utf8)
        #expect(try JSONParser().parse(bytes) != .null)
        // Every proper prefix fails, and none crashes.
        for length in 0..<bytes.count {
            #expect(reason(of: Array(bytes[..<length])) != nil, "prefix of \(length) bytes")
        }
        #expect(try #require(reason(of: #"{"a": "#)).reason == .unexpectedEnd)
        #expect(try #require(reason(of: "")).reason == .empty)
        #expect(try #require(reason(of: "  \n")).reason == .empty)
    }

    @Test func rejectsStructuralMistakes() {
        for text in [#"{"a" 1}"#, #"{a: 1}"#, "[1,]", #"{"a": 1,}"#, "[1 2]", "{'a': 1}", "tru", "nul", "[", "]"] {
            #expect(reason(of: text) != nil, "\(text)")
        }
    }

    @Test func rejectsAByteOrderMark() throws {
        let error = try #require(reason(of: [0xEF, 0xBB, 0xBF] + Array("{}".utf8)))
        #expect(error.reason == .byteOrderMark)
    }

    @Test func enforcesTheDepthLimitWithoutRecursing() throws {
        let limits = JSONParsingLimits(maxBytes: 1 << 20, maxDepth: 64)
        let atLimit = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try parse(atLimit, limits: limits) }

        let past = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = try #require(reason(of: Array(past.utf8), limits: limits))
        #expect(error.reason == .tooDeep(limit: 64))
        #expect(error.offset == 64)

        // Hostile depth far past any stack: rejected at the limit, never a crash.
        let hostile = Array(String(repeating: #"{"a":["#, count: 100_000).utf8)
        #expect(try #require(reason(of: hostile)).reason == .tooDeep(limit: 64))

        // A generous limit is capped, so no parsed value is too deep to compare, write or free.
        let generous = JSONParsingLimits(maxBytes: 1 << 20, maxDepth: 100_000)
        #expect(generous.maxDepth == JSONParsingLimits.depthCeiling)
        let ceiling = JSONParsingLimits.depthCeiling
        let deepest = String(repeating: "[", count: ceiling) + String(repeating: "]", count: ceiling)
        let value = try parse(deepest, limits: generous)
        #expect(value.serializedString() == deepest)
        let deeper = "[" + deepest + "]"
        #expect(try #require(reason(of: Array(deeper.utf8), limits: generous)).reason == .tooDeep(limit: ceiling))
    }

    @Test func enforcesTheSizeLimitBeforeReading() throws {
        let huge = [UInt8](repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
        #expect(try #require(reason(of: huge)).reason == .tooLarge(limit: 1 << 20))
        let small = JSONParsingLimits(maxBytes: 10, maxDepth: 64)
        #expect(try #require(reason(of: Array(#"{"a": "long"}"#.utf8), limits: small)).reason == .tooLarge(limit: 10))
        #expect(throws: JSONParsingError(offset: 10, reason: .tooLarge(limit: 10))) {
            try JSONParser(limits: small).parse(Data(#"["0123456789"]"#.utf8))
        }
    }

    /// Found while timing the fuzz target on large inputs: every member appended copied its whole
    /// container, so a 256 KiB sidecar holding one long array took 107 s of CPU in a release build.
    /// Now the time grows linearly; the bound is generous for a loaded machine (these take well under
    /// a second here) yet far below the minutes the quadratic reading needed.
    @Test func readsLongArraysAndObjectsInLinearTime() throws {
        let count = 1 << 16
        let documents: [(text: String, members: (JSONValue) -> Int?)] = [
            ("[" + Array(repeating: "0", count: count).joined(separator: ",") + "]", { $0.arrayValue?.count }),
            ("{" + (0..<count).map { #""k\#($0)":[]"# }.joined(separator: ",") + "}", { $0.objectValue?.count }),
            (#"{"a":["# + Array(repeating: "[[[1]]]", count: count).joined(separator: ",") + "]}", { $0["a"]?.arrayValue?.count }),
        ]
        let clock = ContinuousClock()
        for (text, members) in documents {
            let start = clock.now
            let value = try parse(text)
            let elapsed = clock.now - start
            #expect(members(value) == count)
            #expect(elapsed < .seconds(10), "\(text.utf8.count) bytes took \(elapsed)")
        }
    }

    @Test func errorsReadWell() throws {
        let error = try #require(reason(of: #"{"a": @}"#))
        #expect(error.offset == 6)
        #expect(error.description == "invalid JSON at byte 6: unexpected '@' (0x40), expected a value")
    }
}
