import Foundation
import Logging
import Synchronization
import Testing

@testable import SystemdService

@Suite("ServiceLogHandler: journald priorities and escaped lines")
struct ServiceLogHandlerTests {
    /// Collects what the handler writes.
    final class Lines: Sendable {
        let storage = Mutex<[String]>([])
        var all: [String] { storage.withLock { $0 } }
        func append(_ bytes: [UInt8]) { storage.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
    }

    private func logger(_ style: ServiceLogHandler.Style, into lines: Lines) -> Logger {
        var logger = Logger(label: "facedrop") { ServiceLogHandler(label: $0, style: style, output: lines.append) }
        logger.logLevel = .debug
        return logger
    }

    @Test("under journald every line starts with the syslog priority of its level")
    func journalPriorities() {
        let lines = Lines()
        let logger = logger(.journal, into: lines)
        logger.debug("d")
        logger.info("i")
        logger.notice("n")
        logger.warning("w")
        logger.error("e")
        logger.critical("c")
        #expect(lines.all == ["<7>d\n", "<6>i\n", "<5>n\n", "<4>w\n", "<3>e\n", "<2>c\n"])
    }

    @Test("plain lines carry a timestamp and the level")
    func plainLines() throws {
        let lines = Lines()
        logger(.plain, into: lines).notice("facedrop is running", metadata: ["inboxes": "2"])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix(" notice facedrop is running inboxes=2\n"))
        #expect(line.first?.isNumber == true)
        #expect(!line.hasPrefix("<"))
    }

    @Test("a newline or escape sequence in a file name cannot forge a second line")
    func controlCharactersAreEscaped() {
        let lines = Lines()
        logger(.journal, into: lines).warning("claimed a\nb.png", metadata: ["file": "x\n<3>forged\u{1B}[31m", "note": "two words", "quote": "say \"hi\""])
        #expect(lines.all == [#"<4>claimed a\nb.png file=x\n<3>forged\u{1b}[31m note="two words" quote="say \"hi\""\#n"#])
        #expect(lines.all.allSatisfy { $0.filter { $0 == "\n" }.count == 1 })
    }

    /// Undoes ``ServiceLogHandler/escaped(_:)``: `\\`, `\n`, `\r`, `\t`, `\u{…}`; any other backslash is itself.
    static func unescaped(_ text: String) -> String {
        var result = ""
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "\\", let next = scalars.first else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch next {
            case "\\": result += "\\"
            case "n": result += "\n"
            case "r": result += "\r"
            case "t": result += "\t"
            case "u":
                let hex = scalars.dropFirst(2).prefix { $0 != "}" }
                result.unicodeScalars.append(Unicode.Scalar(UInt32(String(String.UnicodeScalarView(hex)), radix: 16)!)!)
                scalars = scalars.dropFirst(3 + hex.count)
                continue
            default:
                result += "\\"
                continue
            }
            scalars = scalars.dropFirst()
        }
        return result
    }

    @Test("a backslash is doubled only where it would start an escape: \\xFF stays as written, and every text can be read back")
    func backslashes() {
        #expect(ServiceLogHandler.escaped(#"bad\xFF\xFE.jpg"#) == #"bad\xFF\xFE.jpg"#)
        #expect(ServiceLogHandler.escaped(#"C:\new\table"#) == #"C:\\new\\table"#)
        #expect(ServiceLogHandler.escaped("a\\\n") == #"a\\\n"#)
        let samples = [#"\"#, #"\\"#, "\\\n", #"\u{1b}"#, "x\\\u{1B}y", #"end\"#, #"say \"hi\""#, #"\xFF\\n\t\q"#, "tab\t\\\t"]
        for sample in samples {
            #expect(Self.unescaped(ServiceLogHandler.escaped(sample)) == sample, "\(sample.debugDescription)")
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = ["\\", "n", "u", "{", "}", "1", "x", "\n", "\t", "\u{1B}", "\"", "a"]
        for _ in 0..<2000 {
            var sample = ""
            for _ in 0..<Int.random(in: 0...8, using: &generator) { sample.unicodeScalars.append(alphabet.randomElement(using: &generator)!) }
            #expect(Self.unescaped(ServiceLogHandler.escaped(sample)) == sample, "\(sample.debugDescription)")
        }
    }

    @Test("metadata set on the logger and on the message are merged, the message's winning")
    func metadataMerges() {
        let lines = Lines()
        var logger = logger(.journal, into: lines)
        logger[metadataKey: "inbox"] = "a"
        logger[metadataKey: "job"] = "old"
        logger.info("m", metadata: ["job": "new"])
        #expect(lines.all == ["<6>m inbox=a job=new\n"])
    }

    @Test("JOURNAL_STREAM counts only when it names this process's standard error")
    func detection() {
        #expect(ServiceLogHandler.Style.detect(environment: ["JOURNAL_STREAM": "8:1234"], standardError: "8:1234") == .journal)
        #expect(ServiceLogHandler.Style.detect(environment: ["JOURNAL_STREAM": "8:1234"], standardError: "8:999") == .plain)
        #expect(ServiceLogHandler.Style.detect(environment: [:], standardError: "8:1234") == .plain)
        #expect(ServiceLogHandler.Style.detect(environment: ["JOURNAL_STREAM": "8:1234"], standardError: nil) == .plain)
    }
}
