/// The RIFF container of WebP files: reading the size, walking chunks, and building the extended form.
enum WebPLayout {
    static let riff = FourCC("RIFF")
    static let webp = FourCC("WEBP")
    static let lossy = FourCC("VP8 ")
    static let lossless = FourCC("VP8L")
    static let extended = FourCC("VP8X")
    static let xmp = FourCC("XMP ")
    /// The chunk ``ImageTrace`` travels in: one of facedrop's own, which WebP readers skip, so the `XMP ` chunk
    /// stays free for the generation parameters (``ImageMetadataWriter``).
    static let trace = FourCC("FDTR")

    /// The `VP8X` flag announcing an `XMP ` chunk.
    static let xmpFlag: UInt8 = 0x04
    /// The `VP8X` flag saying the image has an alpha channel.
    static let alphaFlag: UInt8 = 0x10

    /// WebP stores sides in 14 bits (24 for the canvas, but encoders stop at 16383).
    static let maximumDimension = 16_383

    /// One chunk: its tag and where its payload sits (padding excluded).
    struct Chunk {
        let type: FourCC
        let payload: Range<Int>
    }

    /// The size declared by the first chunk: the canvas of `VP8X`, or the frame of `VP8 `/`VP8L`.
    ///
    /// Only the start of the first chunk is needed, so a file cut short after its header still inspects.
    static func dimensions(in bytes: [UInt8]) throws(ImageInspectionError) -> (width: Int, height: Int) {
        guard bytes.fourCC(at: 0) == riff, bytes.fourCC(at: 8) == webp, let type = bytes.fourCC(at: 12),
            let size = bytes.uint32LE(at: 16)
        else { throw .truncated(.webp) }
        return try dimensions(of: Chunk(type: type, payload: 20..<min(20 + size, bytes.count)), in: bytes)
    }

    private static func dimensions(
        of chunk: Chunk,
        in bytes: [UInt8]
    ) throws(ImageInspectionError) -> (width: Int, height: Int) {
        let start = chunk.payload.lowerBound
        switch chunk.type {
        case lossy:
            // Frame tag (3 bytes, bit 0 clear for a key frame), start code 9D 01 2A, then 14-bit sizes.
            guard chunk.payload.count >= 10, let tag = bytes.uint8(at: start),
                let width = bytes.uint16LE(at: start + 6), let height = bytes.uint16LE(at: start + 8)
            else { throw .truncated(.webp) }
            guard tag & 1 == 0, bytes[start + 3..<start + 6].elementsEqual([0x9D, 0x01, 0x2A]) else {
                throw .malformed(.webp, reason: "the VP8 frame header has no key-frame start code")
            }
            return (width & 0x3FFF, height & 0x3FFF)
        case lossless:
            // Signature 0x2F, then width−1 and height−1 in 14 bits each.
            guard chunk.payload.count >= 5, let bits = bytes.uint32LE(at: start + 1) else { throw .truncated(.webp) }
            guard bytes[start] == 0x2F else { throw .malformed(.webp, reason: "the VP8L signature is missing") }
            return ((bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1)
        case extended:
            guard chunk.payload.count >= 10, let width = bytes.uint24LE(at: start + 4),
                let height = bytes.uint24LE(at: start + 7)
            else { throw .truncated(.webp) }
            return (width + 1, height + 1)
        default:
            throw .malformed(.webp, reason: "the first chunk is \(chunk.type), not VP8, VP8L or VP8X")
        }
    }

    /// Calls `body` for each chunk inside the RIFF container, in order, until it returns `false`.
    ///
    /// The walk stays inside both the RIFF size and the bytes, and each step advances at least 8 bytes.
    /// - Throws: `.truncated(.webp)` when a chunk runs past the end.
    static func forEachChunk(
        in bytes: [UInt8],
        _ body: (Chunk) throws(ImageInspectionError) -> Bool
    ) throws(ImageInspectionError) {
        guard bytes.fourCC(at: 0) == riff, let riffSize = bytes.uint32LE(at: 4), bytes.fourCC(at: 8) == webp else {
            throw .truncated(.webp)
        }
        let end = min(bytes.count, 8 + riffSize)
        var offset = 12
        while offset + 8 <= end {
            guard let type = bytes.fourCC(at: offset), let size = bytes.uint32LE(at: offset + 4) else {
                throw .truncated(.webp)
            }
            let payload = offset + 8..<offset + 8 + size
            guard payload.upperBound <= bytes.count else { throw .truncated(.webp) }
            guard try body(Chunk(type: type, payload: payload)) else { return }
            offset = payload.upperBound + size % 2
        }
    }

    /// Appends one chunk, padded to an even size as RIFF requires.
    static func appendChunk(_ type: FourCC, payload: ArraySlice<UInt8>, to output: inout [UInt8]) {
        output += type.bytes
        output.appendUInt32LE(payload.count)
        output += payload
        if payload.count % 2 == 1 { output.append(0) }
    }

    /// Rewrites a simple-format WebP (one `VP8 `/`VP8L` chunk) into the extended format: `VP8X` with the
    /// canvas size, the image chunk, then a ``trace`` chunk holding `metadata`.
    static func extended(
        _ simple: [UInt8],
        width: Int,
        height: Int,
        metadata: [UInt8]
    ) throws(ImageInspectionError) -> [UInt8] {
        var image: Chunk?
        try forEachChunk(in: simple) { chunk throws(ImageInspectionError) in
            image = chunk
            return false
        }
        guard let image, image.type == lossy || image.type == lossless else {
            throw .malformed(.webp, reason: "the encoder did not produce a simple-format image")
        }
        var header: [UInt8] = [0, 0, 0, 0]
        header.appendUInt24LE(width - 1)
        header.appendUInt24LE(height - 1)

        var body = webp.bytes
        appendChunk(extended, payload: header[...], to: &body)
        appendChunk(image.type, payload: simple[image.payload], to: &body)
        appendChunk(trace, payload: metadata[...], to: &body)

        var output = riff.bytes
        output.appendUInt32LE(body.count)
        return output + body
    }
}
