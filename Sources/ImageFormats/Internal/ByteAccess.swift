/// Bounds-checked reads of fixed-width integers, used by every header parser.
///
/// Each accessor returns `nil` instead of trapping when the value would run past the end, so hostile
/// bytes can at worst produce a "truncated" error.
extension Array where Element == UInt8 {
    func uint8(at offset: Int) -> Int? {
        offset >= 0 && offset < count ? Int(self[offset]) : nil
    }

    func uint16BE(at offset: Int) -> Int? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        return Int(self[offset]) << 8 | Int(self[offset + 1])
    }

    func uint32BE(at offset: Int) -> Int? {
        guard let high = uint16BE(at: offset), let low = uint16BE(at: offset + 2) else { return nil }
        return high << 16 | low
    }

    func uint16LE(at offset: Int) -> Int? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        return Int(self[offset]) | Int(self[offset + 1]) << 8
    }

    func uint24LE(at offset: Int) -> Int? {
        guard let low = uint16LE(at: offset), let high = uint8(at: offset + 2) else { return nil }
        return low | high << 16
    }

    func uint32LE(at offset: Int) -> Int? {
        guard let low = uint16LE(at: offset), let high = uint16LE(at: offset + 2) else { return nil }
        return low | high << 16
    }

    func fourCC(at offset: Int) -> FourCC? {
        uint32BE(at: offset).map { FourCC(value: UInt32($0)) }
    }

    mutating func appendUInt16BE(_ value: Int) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt32BE(_ value: Int) {
        appendUInt16BE(value >> 16)
        appendUInt16BE(value)
    }

    mutating func appendUInt24LE(_ value: Int) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
    }

    mutating func appendUInt32LE(_ value: Int) {
        appendUInt24LE(value)
        append(UInt8(truncatingIfNeeded: value >> 24))
    }
}

/// A four-character chunk tag as PNG and RIFF use them (`IHDR`, `VP8X`, `XMP `).
struct FourCC: Hashable, CustomStringConvertible {
    let value: UInt32

    init(value: UInt32) {
        self.value = value
    }

    init(_ text: StaticString) {
        precondition(text.utf8CodeUnitCount == 4, "a chunk tag has four characters")
        let bytes = text.withUTF8Buffer { Array($0) }
        value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    var bytes: [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    var description: String { String(decoding: bytes, as: UTF8.self) }
}
