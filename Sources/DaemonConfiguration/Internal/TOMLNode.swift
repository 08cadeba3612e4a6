import TOMLKit

/// A parsed TOML document as a plain Swift value.
///
/// TOMLKit's tables are reference types over a C++ tree; the document is copied into this value once,
/// right after parsing, so validation is pure Swift and nothing non-`Sendable` outlives `parse`.
enum TOMLNode: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    /// A date, a time or a date-time, kept as its TOML text: the configuration has no use for one.
    case dateTime(String)
    case array([TOMLNode])
    case table([String: TOMLNode])

    /// How a value of this kind is named in a problem: "a string", "an integer", …
    var kindDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a floating-point number"
        case .bool: "a boolean"
        case .dateTime: "a date or time"
        case .array: "an array"
        case .table: "a table"
        }
    }

    /// The value in a problem, e.g. `"srv/x"` or `0` or `an array`.
    var brief: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .integer(let value): "\(value)"
        case .float(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .dateTime(let text): text
        case .array, .table: kindDescription
        }
    }
}

extension TOMLNode {
    /// Parses TOML text.
    ///
    /// TOMLKit reads a C string, so a NUL byte would silently end the document; it is refused with
    /// its position instead.
    static func parse(_ text: String) throws(ConfigurationError) -> [String: TOMLNode] {
        if let offset = text.utf8.firstIndex(of: 0) {
            let before = text.utf8[..<offset]
            let line = before.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            let column = before.reversed().prefix { $0 != UInt8(ascii: "\n") }.count + 1
            throw .syntax(line: line, column: column, message: "NUL character in the file")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(line: error.source.begin.line, column: error.source.begin.column, message: error.description)
        } catch {
            throw .syntax(line: 0, column: 0, message: "\(error)")
        }
        return Self.convert(table)
    }

    private static func convert(_ table: TOMLTable) -> [String: TOMLNode] {
        var result: [String: TOMLNode] = [:]
        for (key, value) in zip(table.keys, table.values) {
            result[key] = convert(value)
        }
        return result
    }

    private static func convert(_ value: any TOMLValueConvertible) -> TOMLNode {
        switch value.type {
        case .string: .string(value.string ?? "")
        case .int: .integer(value.int ?? 0)
        case .double: .float(value.double ?? 0)
        case .bool: .bool(value.bool ?? false)
        case .array: .array(value.array.map { $0.map(convert) } ?? [])
        case .table: .table(value.table.map(convert) ?? [:])
        case .date, .time, .dateTime: .dateTime(value.debugDescription)
        }
    }
}
