/// Finds text that would stop TOMLKit's parser on an internal assertion instead of a parse error.
///
/// TOMLKit 0.6.0 bundles toml++ 3.4.0, which checks some of its parser's preconditions with C
/// `assert`. Four of them can be broken by input, and SwiftPM compiles C++ without `NDEBUG` in debug
/// and release alike, so a mistyped configuration would abort `facedrop check`, or a running daemon on
/// reload, with SIGABRT (found by fuzzing; fixed upstream after 3.4.0, e.g. marzer/tomlplusplus#301):
/// - a table header whose name does not start with a key character: `[=`, `[{`, `[[[1]]]`, `[` at the
///   end of a line;
/// - an array element starting with `}` or a Unicode line separator (U+0085, U+2028, U+2029):
///   `a = [}]`, `a = [1,\n}]`;
/// - a date-time without a digit after its `T`: `a = 1979-05-27T:32:00`;
/// - a date, a space and one digit, then the end of the value: `a = 1979-05-27 1`.
///
/// The scan follows TOML's structure (comments, strings, arrays, inline tables, scalars) just far
/// enough to find the places where toml++ checks those preconditions. On valid TOML it is exact. On
/// invalid TOML it keeps going where toml++ would stop at its first error, so it may name a place
/// toml++ never reaches; ``TOMLNode/parse(_:)`` then reports toml++'s own earlier error.
struct TOMLAssertionGuard {
    /// A place toml++ would assert on.
    struct Hazard: Equatable {
        /// The byte offset of the offending character.
        let offset: Int
        /// Where the top-level expression (table header or key-value pair) holding it starts: the text
        /// before is free of hazards, so toml++ may read it to report an earlier error.
        let expressionStart: Int
        let message: String
    }

    /// toml++'s limit on nested values; deeper input is refused before anything else is checked.
    private static let maximumDepth = 256

    private let bytes: [UInt8]
    private var position = 0
    private var expressionStart = 0
    private var hazard: Hazard?
    /// Set where toml++ has certainly given up (nesting too deep), so nothing after matters.
    private var finished = false

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The first hazard in `bytes` (UTF-8 TOML), or `nil` when toml++ can read it safely.
    static func firstHazard(in bytes: [UInt8]) -> Hazard? {
        var scanner = TOMLAssertionGuard(bytes: bytes)
        scanner.scanDocument()
        return scanner.hazard
    }

    // MARK: Structure

    private var isDone: Bool {
        hazard != nil || finished || position >= bytes.count
    }

    private mutating func scanDocument() {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        while true {
            skipBlankLinesAndComments()
            guard !isDone else { return }
            expressionStart = position
            if bytes[position] == .openBracket {
                scanTableHeader()
            } else {
                scanKeyValue(valueDepth: 1)
            }
        }
    }

    /// `[name]` or `[[name]]`: the name must start with a key character (or be the `]` toml++ reports).
    private mutating func scanTableHeader() {
        position += 1
        let hadWhitespace = skipSpaces()
        if !hadWhitespace, position < bytes.count, bytes[position] == .openBracket {
            position += 1
            skipSpaces()
        }
        if position < bytes.count, !Self.startsKey(bytes[position]), bytes[position] != .closeBracket {
            record("expected a table name after '['")
            return
        }
        // A header is one line; quoted names hold no line break.
        while position < bytes.count, bytes[position] != .lineFeed { position += 1 }
    }

    /// `key = value`, in the document or an inline table. Always moves forward.
    private mutating func scanKeyValue(valueDepth: Int) {
        let start = position
        keyLoop: while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case .quote, .apostrophe: skipString()
            case .dot, .space, .tab: position += 1
            default:
                guard Self.isBareKeyCharacter(byte) else { break keyLoop }
                position += 1
            }
        }
        if position < bytes.count, bytes[position] == .equals {
            position += 1
            skipSpaces()
            // toml++ reports a missing value itself.
            if position < bytes.count, !Self.isValueTerminator(bytes[position]) {
                scanValue(depth: valueDepth)
            }
        }
        if position == start { position += 1 }
    }

    private mutating func scanValue(depth: Int) {
        guard depth <= Self.maximumDepth else {
            finished = true
            return
        }
        switch bytes[position] {
        case .openBracket: scanArray(depth: depth)
        case .openBrace: scanInlineTable(depth: depth)
        case .quote, .apostrophe: skipString()
        default: scanScalar()
        }
    }

    private mutating func scanArray(depth: Int) {
        position += 1
        var afterElement = false
        while true {
            skipBlankLinesAndComments()
            guard !isDone else { return }
            switch bytes[position] {
            case .comma:
                afterElement = false
                position += 1
            case .closeBracket:
                position += 1
                return
            default:
                // toml++ checks the element's first character before its nesting limit.
                if !afterElement {
                    if bytes[position] == .closeBrace {
                        record("expected a value or ']' in the array, found '}'")
                        return
                    }
                    if Self.isLineSeparator(bytes[position...]) {
                        record("a Unicode line separator is not a TOML line break; write \\u2028 inside a string")
                        return
                    }
                }
                afterElement = true
                let start = position
                scanValue(depth: depth + 1)
                if position == start { position += 1 }
            }
        }
    }

    private mutating func scanInlineTable(depth: Int) {
        position += 1
        while !isDone {
            let byte = bytes[position]
            if byte == .closeBrace {
                position += 1
                return
            }
            if Self.startsKey(byte) {
                scanKeyValue(valueDepth: depth + 1)
            } else {
                position += 1
            }
        }
    }

    /// A number, Boolean, date or time: everything up to a value terminator.
    private mutating func scanScalar() {
        let start = position
        skipScalarCharacters()
        // toml++ reads the time of `YYYY-MM-DDT…` expecting a digit after the `T`.
        let separator = start + 10
        if separator < position, Self.isDate(bytes[start..<separator]),
            bytes[separator] == UInt8(ascii: "T") || bytes[separator] == UInt8(ascii: "t"),
            !(separator + 1 < position && Self.isDigit(bytes[separator + 1]))
        {
            position = separator + 1
            record("expected the time (hh:mm:ss) after the 'T' of a date-time")
            return
        }
        // toml++ reads `date time` with a space as one value; ten characters that may be a date, a
        // space and one digit, then the end of the value, break its reading of the time. It takes
        // for a date whatever has a digit first, dashes at 4 and 7 and no character it classifies
        // otherwise (`97=9-05-27` is one); checking less than that is safe, since no valid value
        // has this shape.
        let characters = bytes[start..<position].filter { $0 != .underscore }
        guard characters.count == 10, Self.isDigit(characters[0]), characters[4] == .minus, characters[7] == .minus,
            position + 1 < bytes.count, bytes[position] == .space, Self.isDigit(bytes[position + 1])
        else { return }
        if position + 2 < bytes.count, !Self.continuesTime(bytes[position + 2]) {
            position += 1
            record("a date followed by a space must go on with a time (hh:mm:ss)")
            return
        }
        position += 1
        skipScalarCharacters()
    }

    private mutating func skipScalarCharacters() {
        while position < bytes.count, !Self.isValueTerminator(bytes[position]) { position += 1 }
    }

    // MARK: Lexical

    /// Steps over a basic, literal or multi-line string from its opening quote. An unterminated
    /// single-line string ends at the line break, where toml++ reports it.
    private mutating func skipString() {
        let quote = bytes[position]
        let escapes = quote == .quote
        if bytes[position...].starts(with: [quote, quote, quote]) {
            position += 3
            while position < bytes.count {
                if escapes, bytes[position] == .backslash {
                    position = min(position + 2, bytes.count)
                } else if bytes[position...].starts(with: [quote, quote, quote]) {
                    position += 3
                    // Up to two more quotes belong to the content, just before the closing three.
                    var extra = 0
                    while extra < 2, position < bytes.count, bytes[position] == quote {
                        position += 1
                        extra += 1
                    }
                    return
                } else {
                    position += 1
                }
            }
            return
        }
        position += 1
        while position < bytes.count, bytes[position] != .lineFeed {
            if escapes, bytes[position] == .backslash {
                position = min(position + 2, bytes.count)
            } else if bytes[position] == quote {
                position += 1
                return
            } else {
                position += 1
            }
        }
    }

    /// Steps over whitespace, line breaks and comments, which may stand between expressions and
    /// between array elements.
    private mutating func skipBlankLinesAndComments() {
        while position < bytes.count {
            switch bytes[position] {
            case .space, .tab, .carriageReturn, .lineFeed:
                position += 1
            case .hash:
                while position < bytes.count, bytes[position] != .lineFeed { position += 1 }
            default:
                return
            }
        }
    }

    /// Steps over spaces and tabs; whether there were any.
    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = position
        while position < bytes.count, bytes[position] == .space || bytes[position] == .tab { position += 1 }
        return position > start
    }

    private mutating func record(_ message: String) {
        hazard = Hazard(offset: min(position, bytes.count), expressionStart: expressionStart, message: message)
    }

    // MARK: Character classes

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// `YYYY-MM-DD`, digits and dashes as TOML writes a date.
    private static func isDate(_ text: ArraySlice<UInt8>) -> Bool {
        text.count == 10
            && text.enumerated().allSatisfy { index, byte in
                index == 4 || index == 7 ? byte == .minus : isDigit(byte)
            }
    }

    private static func isBareKeyCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), .underscore, .minus:
            true
        default:
            false
        }
    }

    private static func startsKey(_ byte: UInt8) -> Bool {
        isBareKeyCharacter(byte) || byte == .quote || byte == .apostrophe
    }

    /// Where a scalar ends for this scan. toml++ also ends one at non-ASCII whitespace; reading on
    /// over it changes nothing here, since such text is invalid either way.
    private static func isValueTerminator(_ byte: UInt8) -> Bool {
        switch byte {
        case .space, .tab, .carriageReturn, .lineFeed, .closeBracket, .closeBrace, .comma, .hash: true
        default: false
        }
    }

    /// Whether the character after `date␣digit` can go on as a time. Anything else, including any
    /// non-ASCII character (it may be whitespace to toml++), counts as the end of the value.
    private static func continuesTime(_ byte: UInt8) -> Bool {
        isBareKeyCharacter(byte) || byte == .colon || byte == .dot || byte == .plus
    }

    /// U+0085, U+2028 or U+2029 in UTF-8.
    private static func isLineSeparator(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.starts(with: [0xC2, 0x85]) || bytes.starts(with: [0xE2, 0x80, 0xA8])
            || bytes.starts(with: [0xE2, 0x80, 0xA9])
    }
}

extension UInt8 {
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let lineFeed = UInt8(ascii: "\n")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let quote = UInt8(ascii: "\"")
    fileprivate static let hash = UInt8(ascii: "#")
    fileprivate static let apostrophe = UInt8(ascii: "'")
    fileprivate static let plus = UInt8(ascii: "+")
    fileprivate static let comma = UInt8(ascii: ",")
    fileprivate static let minus = UInt8(ascii: "-")
    fileprivate static let dot = UInt8(ascii: ".")
    fileprivate static let colon = UInt8(ascii: ":")
    fileprivate static let equals = UInt8(ascii: "=")
    fileprivate static let openBracket = UInt8(ascii: "[")
    fileprivate static let backslash = UInt8(ascii: "\\")
    fileprivate static let closeBracket = UInt8(ascii: "]")
    fileprivate static let underscore = UInt8(ascii: "_")
    fileprivate static let openBrace = UInt8(ascii: "{")
    fileprivate static let closeBrace = UInt8(ascii: "}")
}
