import Foundation
import StrictJSON
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
    @Test func writesCompactSortedBytes() {
        let body: JSONValue = ["seed": 720558, "prompt": "portrait", "id_weight": 1.05, "base64": false, "x": nil]
        #expect(body.serializedString() == #"{"base64":false,"id_weight":1.05,"prompt":"portrait","seed":720558,"x":null}"#)
    }

    @Test func sortsKeysByTheirUTF8Bytes() {
        let value: JSONValue = ["b": 1, "B": 2, "é": 3, "a": 4, "": 5]
        #expect(value.serializedString() == #"{"":5,"B":2,"a":4,"b":1,"é":3}"#)
    }

    @Test func writesIntegersAndNumbersDistinctly() {
        #expect(JSONValue.integer(2_778_725_438).serializedString() == "2778725438")
        #expect(JSONValue.integer(Int64.min).serializedString() == "-9223372036854775808")
        #expect(JSONValue.number(4).serializedString() == "4.0")
        #expect(JSONValue.number(0.1).serializedString() == "0.1")
        #expect(JSONValue.number(1e-7).serializedString() == "1e-07")
        #expect(JSONValue.number(.infinity).serializedString() == "null")
        #expect(JSONValue.number(.nan).serializedString() == "null")
    }

    @Test func escapesStrings() {
        let text = "q\" b\\ s/ \u{8}\u{C}\n\r\t \u{1} \u{1F} \u{7F} é 😀"
        #expect(JSONValue.string(text).serializedString() == #""q\" b\\ s/ \b\f\n\r\t \u0001 \u001f "# + "\u{7F} é 😀\"")
    }

    @Test func findsWhatNeedsAnEscapeAtEveryPlaceOfALongString() {
        let plain = String(repeating: "aZ09+/=", count: 4)
        #expect(JSONValue.string(plain).serializedString() == "\"\(plain)\"")
        for offset in 0...plain.count {
            let before = String(plain.prefix(offset))
            let after = String(plain.dropFirst(offset))
            for (text, escaped) in [("\"", #"\""#), ("\\", #"\\"#), ("\u{0}", #"\u0000"#), ("\u{1F}", #"\u001f"#), ("\n", #"\n"#)] {
                #expect(JSONValue.string(before + text + after).serializedString() == "\"\(before)\(escaped)\(after)\"")
            }
            for text in [" ", "!", "#", "[", "]", "\u{7F}", "é", "😀"] {
                #expect(JSONValue.string(before + text + after).serializedString() == "\"\(before)\(text)\(after)\"")
            }
        }
    }

    @Test func writesPrettyOutput() {
        let value: JSONValue = ["b": [1, 2], "a": ["c": true], "e": [], "o": [:]]
        let expected = """
            {
              "a": {
                "c": true
              },
              "b": [
                1,
                2
              ],
              "e": [],
              "o": {}
            }
            """
        #expect(value.serializedString(pretty: true) == expected)
    }

    @Test(arguments: [
        #"{"a":[1,-2,3.5,100.0,true,false,null],"b":{"c":"dé\n"}}"#,
        #"[0.1,1e-07,1e+20,-0.0,5e-324,1.7976931348623157e+308,9223372036854775807]"#,
        #"{"s":"\u0000\"\\","seed":2778725438,"t":"😀"}"#,
        #"[[],{},[[]],"",0]"#,
    ])
    func roundTripsByteForByte(_ text: String) throws {
        let value = try JSONParser().parse(text)
        #expect(value.serializedString() == text)
        #expect(try JSONParser().parse(value.serialized()) == value)
        #expect(try JSONParser().parse(value.serialized(pretty: true)) == value)
    }

    @Test func roundTripsDoublesExactly() throws {
        let samples: [Double] = [0.1 + 0.2, 1.05, 1 / 3, 123_456_789.123_456_78, 2.2250738585072014e-308, -7e22, 1e16]
        for number in samples {
            let back = try JSONParser().parse(JSONValue.number(number).serialized())
            #expect(back == .number(number), "\(number)")
        }
    }

    @Test func codableUsesTheSameKinds() throws {
        let value: JSONValue = ["n": 1.5, "i": 3, "b": true, "s": "x", "a": [nil], "o": [:]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONParser().parse(data) == value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    @Test func accessorsConvertOnlyWhereExact() {
        let value: JSONValue = ["i": 4, "f": 4.0, "h": 4.5, "big": 1e300, "s": "x", "t": true, "a": [1, 2]]
        #expect(value["i"]?.doubleValue == 4)
        #expect(value["f"]?.int64Value == 4)
        #expect(value["h"]?.int64Value == nil)
        #expect(value["big"]?.int64Value == nil)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["t"]?.boolValue == true)
        #expect(value["i"]?.boolValue == nil)
        #expect(value["a"]?[1] == 2)
        #expect(value["a"]?[2] == nil)
        #expect(value["missing"] == nil)
        #expect(value[0] == nil)
        #expect(value.objectValue?.count == 7)
    }
}
