extension JSONValue {
    /// The value as JSON text in UTF-8.
    ///
    /// Request bodies, result files and journal records are made with this writer, so its output is
    /// fixed byte for byte:
    /// - object keys are sorted by their UTF-8 bytes when `sortedKeys` is true (the default), so the
    ///   same value always gives the same bytes (and the same SHA-256);
    /// - integers are written as integers (`720558`, never `720558.0`);
    /// - numbers are written in Swift's shortest form that reads back to the same `Double`
    ///   (`1.05`, `4.0`, `1e-07`), so they stay numbers through a round trip;
    /// - strings escape `"`, `\` and the control characters (`\n`, `\t`, … and `\u001f` style for the
    ///   rest); everything else, including non-ASCII text and `/`, is written as UTF-8 unchanged;
    /// - `pretty` indents by two spaces and writes `"key": value`; empty containers stay `[]` and `{}`.
    ///   No newline is added at the end.
    ///
    /// A ``JSONValue/number(_:)`` holding NaN or infinity cannot come from the parser; if one is built
    /// by hand it is written as `null`, which keeps the output valid JSON.
    public func serialized(sortedKeys: Bool = true, pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(sortedKeys: sortedKeys, pretty: pretty)
        writer.write(self, depth: 0)
        return writer.output
    }

    /// The value as JSON text; see ``serialized(sortedKeys:pretty:)``.
    public func serializedString(sortedKeys: Bool = true, pretty: Bool = false) -> String {
        String(decoding: serialized(sortedKeys: sortedKeys, pretty: pretty), as: UTF8.self)
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON with sorted keys.
    public var description: String {
        serializedString()
    }
}

/// Appends JSON text to a byte buffer.
///
/// Recursion depth is that of the value being written; values facedrop writes are its own (a few
/// levels), and parsed values are bounded by ``JSONParsingLimits/maxDepth``.
struct JSONWriter {
    let sortedKeys: Bool
    let pretty: Bool
    var output: [UInt8] = []

    init(sortedKeys: Bool, pretty: Bool) {
        self.sortedKeys = sortedKeys
        self.pretty = pretty
    }

    mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let integer):
            output.append(contentsOf: String(integer).utf8)
        case .number(let number):
            writeNumber(number)
        case .string(let string):
            writeString(string)
        case .array(let elements):
            writeArray(elements, depth: depth)
        case .object(let members):
            writeObject(members, depth: depth)
        }
    }

    private mutating func writeNumber(_ number: Double) {
        guard number.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        // Swift's description is the shortest text that parses back to the same Double, and it is
        // always valid JSON for finite values ("1.0", "1e-07", "1e+20", "-0.0").
        output.append(contentsOf: number.description.utf8)
    }

    private mutating func writeArray(_ elements: [JSONValue], depth: Int) {
        guard !elements.isEmpty else {
            output.append(contentsOf: "[]".utf8)
            return
        }
        output.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            newline(depth: depth + 1)
            write(element, depth: depth + 1)
        }
        newline(depth: depth)
        output.append(UInt8(ascii: "]"))
    }

    private mutating func writeObject(_ members: [String: JSONValue], depth: Int) {
        guard !members.isEmpty else {
            output.append(contentsOf: "{}".utf8)
            return
        }
        // The members themselves are sorted, so no key is hashed again to find its value.
        var sorted = Array(members)
        if sortedKeys {
            sorted.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        }
        output.append(UInt8(ascii: "{"))
        for (index, member) in sorted.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            newline(depth: depth + 1)
            writeString(member.key)
            output.append(UInt8(ascii: ":"))
            if pretty { output.append(UInt8(ascii: " ")) }
            write(member.value, depth: depth + 1)
        }
        newline(depth: depth)
        output.append(UInt8(ascii: "}"))
    }

    private mutating func newline(depth: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    private mutating func writeString(_ string: String) {
        output.append(UInt8(ascii: "\""))
        // Most strings, and the long base64 images of every submit, need no escape: copy them whole.
        // Scanned as one buffer where the string has one (native strings do), eight bytes at a time, over a
        // face image's hundred thousand base64 characters.
        let escaped =
            string.utf8.withContiguousStorageIfAvailable(Self.containsEscape)
            ?? string.utf8.contains(where: Self.needsEscape)
        guard escaped else {
            output.append(contentsOf: string.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20:
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(Self.hexDigits[Int(byte >> 4)])
                output.append(Self.hexDigits[Int(byte & 0x0F)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Whether any byte of `bytes` needs an escape, tested a 64-bit word at a time: `(w - 0x01…) & ~w &
    /// 0x80…` is non-zero exactly when a byte of `w` is zero (and with `0x20…`, when one is below `0x20`),
    /// so a word with a quote or a backslash is found through `w ^ 0x22…` and `w ^ 0x5C…`.
    private static func containsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var offset = 0
        while offset + 8 <= raw.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let control = (word &- ones &* 0x20) & ~word
            let zeroQuote = (quote &- ones) & ~quote
            let zeroBackslash = (backslash &- ones) & ~backslash
            if (control | zeroQuote | zeroBackslash) & highBits != 0 { return true }
            offset += 8
        }
        return bytes[offset...].contains(where: needsEscape)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
