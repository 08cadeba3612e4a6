/// Hand-made image bytes for tests that need precise, hostile headers.
enum ImageBytes {
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// One PNG chunk with a correct CRC.
    static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(data.count) + typeBytes + data + bigEndian(Int(crc32(typeBytes + data)))
    }

    /// An `IHDR` for 8-bit RGB.
    static func pngHeader(width: Int, height: Int) -> [UInt8] {
        pngChunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0])
    }

    static func bigEndian(_ value: Int) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    /// The CRC-32 PNG uses, bit by bit: independent of the code under test.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// The data of every chunk of `type` in a PNG, in order.
    static func pngChunks(_ type: String, in png: [UInt8]) -> [[UInt8]] {
        var offset = 8
        var found: [[UInt8]] = []
        while offset + 12 <= png.count {
            let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let name = String(decoding: png[offset + 4..<offset + 8], as: UTF8.self)
            guard offset + 12 + length <= png.count else { break }
            if name == type { found.append(Array(png[offset + 8..<offset + 8 + length])) }
            offset += 12 + length
        }
        return found
    }
}

/// A deterministic generator so that "random" hostile inputs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}
