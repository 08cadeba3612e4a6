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

    /// Control characters written as escapes (`\n`, `\u{1b}`), so no text can forge or break a line.
    ///
    /// A backslash is doubled only where it would otherwise read as the start of an escape: before `n`, `r`,
    /// `t`, `u`, a quote, another backslash or a control character (whose escape starts with one). So the
    /// escaping can still be undone, and a name shown with `\xFF` for a byte that is not UTF-8 reads as it is
    /// written, not as `\\xFF`.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\\":
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                let startsEscape = next.map { "nrtu\"\\".unicodeScalars.contains($0) || $0.properties.generalCategory == .control } ?? false
                result += startsEscape ? "\\\\" : "\\"
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
