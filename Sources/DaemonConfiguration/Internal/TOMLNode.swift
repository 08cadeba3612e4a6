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
    /// its position instead. Text that would stop TOMLKit's parser on an assertion is refused before
    /// TOMLKit sees it (see ``TOMLAssertionGuard``).
    static func parse(_ text: String) throws(ConfigurationError) -> [String: TOMLNode] {
        let bytes = Array(text.utf8)
        if let offset = bytes.firstIndex(of: 0) {
            let (line, column) = Self.lineAndColumn(of: offset, in: bytes)
            throw .syntax(line: line, column: column, message: "NUL character in the file")
        }
        if let hazard = TOMLAssertionGuard.firstHazard(in: bytes) {
            // An error toml++ finds before the hazard is the one to report; the text before the
            // hazard's expression is safe to read.
            _ = try Self.table(String(decoding: bytes[..<hazard.expressionStart], as: UTF8.self))
            let (line, column) = Self.lineAndColumn(of: hazard.offset, in: bytes)
            throw .syntax(line: line, column: column, message: hazard.message)
        }
        return Self.convert(try Self.table(text))
    }

    private static func table(_ text: String) throws(ConfigurationError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(line: error.source.begin.line, column: error.source.begin.column, message: error.description)
        } catch {
            throw .syntax(line: 0, column: 0, message: "\(error)")
        }
    }

    /// The 1-based line and column (in characters, as toml++ counts them) of a byte offset.
    private static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let before = bytes[..<offset]
        let line = before.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        // Count UTF-8 lead bytes, not continuation bytes.
        let column = bytes[lineStart..<offset].count { $0 & 0xC0 != 0x80 } + 1
        return (line, column)
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
