/// The 32-byte result of a SHA-256 computation.
///
/// Result records, traces and logs all carry digests as lowercase hex, so ``hex`` is the canonical
/// textual form and ``description`` returns it too.
package struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
    /// The raw digest, always 32 bytes.
    package let bytes: [UInt8]

    /// Wraps 32 digest bytes.
    ///
    /// - Precondition: `bytes.count == 32`.
    package init(bytes: [UInt8]) {
        precondition(bytes.count == SHA256Digest.byteCount, "a SHA-256 digest has 32 bytes, not \(bytes.count)")
        self.bytes = bytes
    }

    /// Parses 64 hex digits (either case), or returns `nil`.
    package init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == SHA256Digest.byteCount * 2 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(SHA256Digest.byteCount)
        var index = 0
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.bytes = bytes
    }

    /// The digest as 64 lowercase hex digits.
    package var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    package var description: String { hex }

    /// The length of a SHA-256 digest in bytes.
    package static let byteCount = 32

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
