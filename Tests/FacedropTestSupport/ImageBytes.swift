/// Hand-made image bytes for tests that need precise, hostile headers (a PNG that declares a size its
/// data does not have, a chunk with a correct CRC around wrong content).
public enum ImageBytes {
    public static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// One PNG chunk with a correct CRC.
    public static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(data.count) + typeBytes + data + bigEndian(Int(crc32(typeBytes + data)))
    }

    /// An `IHDR` for 8-bit RGB.
    public static func pngHeader(width: Int, height: Int) -> [UInt8] {
        pngChunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0])
    }

    /// A complete, small PNG file whose header declares `width`×`height`: a decompression bomb for any
    /// reader that allocates what the header promises.
    public static func pngDeclaring(width: Int, height: Int) -> [UInt8] {
        pngSignature + pngHeader(width: width, height: height)
            + pngChunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01])
            + pngChunk("IEND", [])
    }

    public static func bigEndian(_ value: Int) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    /// The CRC-32 PNG uses, bit by bit: independent of the code under test.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
