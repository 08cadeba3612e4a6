/// Why a document is not accepted, and where.
///
/// `offset` is the byte offset in the input at which the problem was found (0-based), so a user can
/// find it with any hex viewer or `head -c`.
public struct JSONParsingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset of the problem.
    public let offset: Int
    /// What is wrong.
    public let reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        "invalid JSON at byte \(offset): \(reason)"
    }

    /// The ways a document can be rejected.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// The input is empty or only whitespace.
        case empty
        /// The input is larger than ``JSONParsingLimits/maxBytes``.
        case tooLarge(limit: Int)
        /// Arrays and objects nest deeper than ``JSONParsingLimits/maxDepth``.
        case tooDeep(limit: Int)
        /// The input ends inside a value.
        case unexpectedEnd
        /// A byte that cannot start or continue what is being read.
        case unexpectedByte(UInt8, expected: String)
        /// A byte sequence that is not UTF-8.
        case invalidUTF8
        /// A UTF-8 byte order mark at the start.
        case byteOrderMark
        /// An object names the same key twice.
        case duplicateKey(String)
        /// `NaN`, `Infinity` and friends are not JSON.
        case nonFiniteLiteral
        /// A number too large to be represented (`1e400`).
        case numberOutOfRange(String)
        /// A number that does not follow JSON's grammar (`01`, `1.`, `.5`, `+1`).
        case invalidNumber
        /// A raw control character (below U+0020) inside a string.
        case controlCharacterInString(UInt8)
        /// An unknown escape such as `\x` or a malformed `\u` escape.
        case invalidEscape
        /// A `\u` escape of a UTF-16 surrogate without its partner.
        case loneSurrogate
        /// Something other than whitespace follows the value.
        case trailingData

        public var description: String {
            switch self {
            case .empty: "the document is empty"
            case .tooLarge(let limit): "the document is larger than \(limit) bytes"
            case .tooDeep(let limit): "arrays and objects are nested deeper than \(limit) levels"
            case .unexpectedEnd: "the document ends in the middle of a value"
            case .unexpectedByte(let byte, let expected):
                "unexpected \(Self.describe(byte)), expected \(expected)"
            case .invalidUTF8: "the bytes are not valid UTF-8"
            case .byteOrderMark: "the document starts with a byte order mark"
            case .duplicateKey(let key): "the key \"\(key)\" appears twice in one object"
            case .nonFiniteLiteral: "NaN and Infinity are not JSON numbers"
            case .numberOutOfRange(let text): "the number \(text) is too large to represent"
            case .invalidNumber: "malformed number"
            case .controlCharacterInString(let byte):
                "raw control character \(Self.describe(byte)) in a string (escape it)"
            case .invalidEscape: "invalid escape sequence in a string"
            case .loneSurrogate: "a \\u escape names half of a UTF-16 surrogate pair"
            case .trailingData: "there is more after the value"
            }
        }

        private static func describe(_ byte: UInt8) -> String {
            let hex = String(byte, radix: 16, uppercase: true)
            let code = "0x" + (hex.count < 2 ? "0" + hex : hex)
            if byte >= 0x21 && byte < 0x7F {
                return "'\(Character(Unicode.Scalar(byte)))' (\(code))"
            }
            return "byte \(code)"
        }
    }
}
