/// The chunk structure of PNG files: reading the header, walking chunks, and writing them.
enum PNGLayout {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static let ihdr = FourCC("IHDR")
    static let plte = FourCC("PLTE")
    static let idat = FourCC("IDAT")
    static let iend = FourCC("IEND")
    static let text = FourCC("tEXt")
    static let internationalText = FourCC("iTXt")

    /// PNG forbids chunk lengths and sizes above 2³¹−1.
    static let maximumValue = Int(Int32.max)

    /// One chunk: its tag, where its data sits, and the CRC stored after it.
    struct Chunk {
        let type: FourCC
        let data: Range<Int>
        let storedCRC: UInt32
    }

    /// The size declared by `IHDR`, which must be the first chunk.
    static func dimensions(in bytes: [UInt8]) throws(ImageInspectionError) -> (width: Int, height: Int) {
        guard let length = bytes.uint32BE(at: 8), let type = bytes.fourCC(at: 12),
            let width = bytes.uint32BE(at: 16), let height = bytes.uint32BE(at: 20)
        else { throw .truncated(.png) }
        guard type == ihdr, length == 13 else {
            throw .malformed(.png, reason: "the first chunk is not a 13-byte IHDR")
        }
        guard width <= maximumValue, height <= maximumValue else {
            throw .invalidDimensions(.png, width: width, height: height)
        }
        return (width, height)
    }

    /// Calls `body` for each chunk after the signature, in order, until it returns `false` or after `IEND`.
    ///
    /// Each step advances at least 12 bytes, so the walk ends on any input.
    /// - Throws: `.truncated(.png)` when a chunk runs past the end, or the bytes end without `IEND`.
    static func forEachChunk(
        in bytes: [UInt8],
        _ body: (Chunk) throws(ImageInspectionError) -> Bool
    ) throws(ImageInspectionError) {
        var offset = signature.count
        while true {
            guard let length = bytes.uint32BE(at: offset), let type = bytes.fourCC(at: offset + 4) else {
                throw .truncated(.png)
            }
            guard length <= maximumValue else {
                throw .malformed(.png, reason: "chunk \(type) declares \(length) bytes")
            }
            let dataStart = offset + 8
            guard let crc = bytes.uint32BE(at: dataStart + length) else { throw .truncated(.png) }
            let chunk = Chunk(type: type, data: dataStart..<dataStart + length, storedCRC: UInt32(crc))
            guard try body(chunk), type != iend else { return }
            offset = dataStart + length + 4
        }
    }

    /// Throws unless `chunk`'s stored CRC is the CRC-32 of its tag and data in `bytes`.
    static func checkCRC(of chunk: Chunk, in bytes: [UInt8]) throws(ImageInspectionError) {
        guard Zlib.crc32(bytes[chunk.data], startingWith: Zlib.crc32(chunk.type.bytes)) == chunk.storedCRC else {
            throw .malformed(.png, reason: "chunk \(chunk.type) fails its CRC check")
        }
    }

    /// Appends one chunk (length, tag, data, CRC-32 of tag and data).
    static func appendChunk(_ type: FourCC, data: [UInt8], to output: inout [UInt8]) {
        output.appendUInt32BE(data.count)
        output += type.bytes
        output += data
        output.appendUInt32BE(Int(Zlib.crc32(data, startingWith: Zlib.crc32(type.bytes))))
    }
}
