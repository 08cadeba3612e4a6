import Foundation
import Logging

extension ServiceLogHandler {
    /// The whole line, newline included.
    func line(level: Logger.Level, message: String, metadata: Logger.Metadata, now: Date = Date()) -> String {
        var line: String
        switch style {
        case .journal:
            line = "<\(Self.priority(level))>"
        case .plain:
            line = "\(now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))) \(level) "
        }
        line += Self.escaped(message)
        for key in metadata.keys.sorted() {
            line += " \(Self.escaped(key))=\(Self.quoted("\(metadata[key]!)"))"
        }
        return line + "\n"
    }

    /// The syslog priority journald reads from a `<N>` prefix (`sd-daemon(3)`).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Control characters (and the backslash, so the escaping can be undone) written as escapes.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.properties.generalCategory == .control {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// A metadata value in logfmt style: bare when it is one word, else in quotes.
    static func quoted(_ value: String) -> String {
        let escaped = escaped(value)
        guard escaped.isEmpty || escaped.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return escaped }
        return "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
