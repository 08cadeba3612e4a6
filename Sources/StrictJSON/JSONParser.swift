/// A strict JSON reader (RFC 8259) for untrusted input.
///
/// Sidecars come from shared folders and request bodies from the network, so the reader accepts
/// exactly JSON and nothing that merely resembles it:
/// - the input must be UTF-8, without a byte order mark, and no larger than
///   ``JSONParsingLimits/maxBytes``;
/// - objects may not repeat a key (which of two values would win is a guess other tools make
///   differently);
/// - `NaN`, `Infinity`, numbers that overflow a `Double` (`1e400`), leading zeros, raw control
///   characters in strings, lone UTF-16 surrogates and anything after the value are rejected;
/// - nesting is bounded by ``JSONParsingLimits/maxDepth`` and read without recursion, so no input can
///   exhaust the stack (the ceiling ``JSONParsingLimits/depthCeiling`` keeps later recursive uses of
///   the value safe too).
///
/// Numbers without fraction or exponent that fit in `Int64` become ``JSONValue/integer(_:)``; every
/// other number becomes ``JSONValue/number(_:)``.
///
/// ```swift
/// let sidecar = try JSONParser().parse(bytes)
/// ```
public struct JSONParser: Sendable {
    /// The bounds applied to every document.
    public var limits: JSONParsingLimits

    public init(limits: JSONParsingLimits = .default) {
        self.limits = limits
    }

    /// Parses one JSON document.
    public func parse(_ bytes: [UInt8]) throws(JSONParsingError) -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw JSONParsingError(offset: limits.maxBytes, reason: .tooLarge(limit: limits.maxBytes))
        }
        var reader = JSONReader(bytes: bytes, maxDepth: min(limits.maxDepth, JSONParsingLimits.depthCeiling))
        return try reader.readDocument()
    }

    /// Parses one JSON document from the UTF-8 of `text`.
    public func parse(_ text: String) throws(JSONParsingError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// The reading state over one document.
private struct JSONReader {
    /// The kind of an array or object whose members are still being read.
    private enum Container {
        case array
        case object
    }

    /// An object being read, with the key of the member being read.
    private struct OpenObject {
        var members: [String: JSONValue]
        var key: String
    }

    private let bytes: [UInt8]
    private let maxDepth: Int
    private var position = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func readDocument() throws(JSONParsingError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw JSONParsingError(offset: 0, reason: .byteOrderMark)
        }
        skipWhitespace()
        guard position < bytes.count else { throw error(.empty) }
        let value = try readValue()
        skipWhitespace()
        guard position == bytes.count else { throw error(.trailingData) }
        return value
    }

    // MARK: Structure

    /// Reads one value with an explicit stack of open containers instead of recursion.
    ///
    /// Open arrays and objects live on stacks of their own and are appended to where they lie:
    /// popping a container out of an enum and pushing it back would copy all of its members for
    /// every new one, quadratic in the member count (a 32,768-element array in a 64 KiB sidecar took
    /// 12 s in a release build).
    private mutating func readValue() throws(JSONParsingError) -> JSONValue {
        var containers: [Container] = []
        var arrays: [[JSONValue]] = []
        var objects: [OpenObject] = []
        while true {
            // Read the start of a value: a scalar, an empty container, or the opening of a container
            // whose first member is read on the next turn of the loop.
            skipWhitespace()
            var value: JSONValue
            switch try peek() {
            case UInt8(ascii: "["):
                try open(depth: containers.count)
                position += 1
                skipWhitespace()
                if try peek() == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    containers.append(.array)
                    arrays.append([])
                    continue
                }
            case UInt8(ascii: "{"):
                try open(depth: containers.count)
                position += 1
                skipWhitespace()
                if try peek() == UInt8(ascii: "}") {
                    position += 1
                    value = .object([:])
                } else {
                    let key = try readKey(in: [:])
                    containers.append(.object)
                    // Room for a few members from the start: growing a dictionary from empty hashes its keys
                    // again at each of the first doublings.
                    objects.append(OpenObject(members: Dictionary(minimumCapacity: 4), key: key))
                    continue
                }
            default:
                value = try readScalar()
            }

            // Hand the finished value to the innermost open container; close containers as long as
            // they end here.
            while true {
                guard let container = containers.last else { return value }
                skipWhitespace()
                switch container {
                case .array:
                    arrays[arrays.count - 1].append(value)
                    let byte = try peek()
                    position += 1
                    if byte == UInt8(ascii: "]") {
                        containers.removeLast()
                        value = .array(arrays.removeLast())
                        continue
                    } else if byte != UInt8(ascii: ",") {
                        position -= 1
                        throw error(.unexpectedByte(byte, expected: "',' or ']'"))
                    }
                case .object:
                    let last = objects.count - 1
                    let key = objects[last].key
                    objects[last].members[key] = value
                    let byte = try peek()
                    position += 1
                    if byte == UInt8(ascii: "}") {
                        containers.removeLast()
                        value = .object(objects.removeLast().members)
                        continue
                    } else if byte == UInt8(ascii: ",") {
                        skipWhitespace()
                        objects[last].key = try readKey(in: objects[last].members)
                    } else {
                        position -= 1
                        throw error(.unexpectedByte(byte, expected: "',' or '}'"))
                    }
                }
                break
            }
        }
    }

    private func open(depth: Int) throws(JSONParsingError) {
        guard depth < maxDepth else { throw error(.tooDeep(limit: maxDepth)) }
    }

    /// Reads `"key" :` and rejects a key the object already has.
    private mutating func readKey(in members: [String: JSONValue]) throws(JSONParsingError) -> String {
        let start = position
        guard try peek() == UInt8(ascii: "\"") else {
            throw error(.unexpectedByte(bytes[position], expected: "a string key"))
        }
        let key = try readString()
        guard members[key] == nil else {
            throw JSONParsingError(offset: start, reason: .duplicateKey(key))
        }
        skipWhitespace()
        let colon = try peek()
        guard colon == UInt8(ascii: ":") else { throw error(.unexpectedByte(colon, expected: "':'")) }
        position += 1
        return key
    }

    // MARK: Scalars

    private mutating func readScalar() throws(JSONParsingError) -> JSONValue {
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            if hasPrefix("nan") { throw error(.nonFiniteLiteral) }
            try readLiteral("null")
            return .null
        case UInt8(ascii: "N"), UInt8(ascii: "I"), UInt8(ascii: "i"):
            throw error(.nonFiniteLiteral)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try readNumber()
        default:
            throw error(.unexpectedByte(byte, expected: "a value"))
        }
    }

    private mutating func readLiteral(_ literal: StaticString) throws(JSONParsingError) {
        let text = literal.withUTF8Buffer { Array($0) }
        for expected in text {
            guard position < bytes.count else { throw error(.unexpectedEnd) }
            guard bytes[position] == expected else {
                throw error(.unexpectedByte(bytes[position], expected: "\"\(literal)\""))
            }
            position += 1
        }
    }

    private func hasPrefix(_ text: String) -> Bool {
        bytes[position...].starts(with: text.utf8)
    }

    private mutating func readNumber() throws(JSONParsingError) -> JSONValue {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "I") || bytes[position] == UInt8(ascii: "i") {
                throw JSONParsingError(offset: start, reason: .nonFiniteLiteral)
            }
        }
        // Integer part: "0" or a non-zero digit followed by digits.
        guard position < bytes.count else { throw error(.unexpectedEnd) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw error(.invalidNumber) }
        } else if isDigit(bytes[position]) {
            skipDigits()
        } else {
            throw error(.invalidNumber)
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            try requireDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            try requireDigits()
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let integer = Int64(text) {
            return .integer(integer)
        }
        guard let number = Double(text), number.isFinite else {
            throw JSONParsingError(offset: start, reason: .numberOutOfRange(text))
        }
        return .number(number)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private mutating func requireDigits() throws(JSONParsingError) {
        guard position < bytes.count else { throw error(.unexpectedEnd) }
        guard isDigit(bytes[position]) else { throw error(.invalidNumber) }
        skipDigits()
    }

    // MARK: Strings

    /// Reads a string starting at its opening quote, checking UTF-8 and escapes as it goes.
    private mutating func readString() throws(JSONParsingError) -> String {
        position += 1  // the opening quote
        var buffer: [UInt8] = []
        var runStart = position
        while true {
            guard position < bytes.count else { throw error(.unexpectedEnd) }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                let run = bytes[runStart..<position]
                position += 1
                // Without an escape (every escape adds to the buffer) the string is one run of the input:
                // decoded from there, with no buffer to fill and free.
                guard !buffer.isEmpty else { return String(decoding: run, as: UTF8.self) }
                buffer.append(contentsOf: run)
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                buffer.append(contentsOf: bytes[runStart..<position])
                try readEscape(into: &buffer)
                runStart = position
            case 0x00..<0x20:
                throw error(.controlCharacterInString(byte))
            case 0x20..<0x80:
                position += 1
            default:
                try skipUTF8Sequence()
            }
        }
    }

    private mutating func readEscape(into buffer: inout [UInt8]) throws(JSONParsingError) {
        let start = position
        position += 1  // the backslash
        guard position < bytes.count else { throw error(.unexpectedEnd) }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try readHex4()
            var scalarValue = UInt32(unit)
            if (0xD800..<0xDC00).contains(unit) {
                // A high surrogate must be followed at once by an escaped low surrogate.
                guard hasPrefix("\\u") else { throw JSONParsingError(offset: start, reason: .loneSurrogate) }
                position += 2
                let low = try readHex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw JSONParsingError(offset: start, reason: .loneSurrogate)
                }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if (0xDC00..<0xE000).contains(unit) {
                throw JSONParsingError(offset: start, reason: .loneSurrogate)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else {
                throw JSONParsingError(offset: start, reason: .invalidEscape)
            }
            buffer.append(contentsOf: String(Character(scalar)).utf8)
        default:
            throw JSONParsingError(offset: start, reason: .invalidEscape)
        }
    }

    private mutating func readHex4() throws(JSONParsingError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw error(.unexpectedEnd) }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(.invalidEscape)
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// Steps over one multi-byte UTF-8 sequence, rejecting overlong forms, encoded surrogates, code
    /// points above U+10FFFF and truncated sequences (Unicode Table 3-7).
    private mutating func skipUTF8Sequence() throws(JSONParsingError) {
        let lead = bytes[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: throw error(.invalidUTF8)
        }
        for index in 1..<length {
            let offset = position + index
            guard offset < bytes.count else { throw error(.unexpectedEnd) }
            let range = index == 1 ? secondRange : 0x80...0xBF
            guard range.contains(bytes[offset]) else {
                throw JSONParsingError(offset: offset, reason: .invalidUTF8)
            }
        }
        position += length
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func peek() throws(JSONParsingError) -> UInt8 {
        guard position < bytes.count else { throw error(.unexpectedEnd) }
        return bytes[position]
    }

    private func error(_ reason: JSONParsingError.Reason) -> JSONParsingError {
        JSONParsingError(offset: position, reason: reason)
    }
}
