/// Writes ``GenerationParameters`` into a generated picture, its pixels untouched, where image tools look.
///
/// - PNG: two `iTXt` chunks before the first `IDAT`: `parameters` (``GenerationParameters/parametersText``,
///   as AUTOMATIC1111 and ComfyUI readers expect) and `XML:com.adobe.xmp` (the XMP packet).
/// - JPEG: an `APP1` segment with the XMP namespace header, after the leading `APP0`/`APP1` segments.
/// - WebP: an `XMP ` chunk, with the `VP8X` header's XMP flag; a simple-format file (one `VP8 ` or `VP8L`
///   chunk) is rewritten into the extended format around the same image chunk.
///
/// Metadata facedrop wrote before (the same keywords, an XMP segment or chunk) is replaced, so writing twice
/// gives one copy. Everything else (ICC profiles, Exif, other text) stays as it was.
///
/// ```swift
/// let tagged = try ImageMetadataWriter.embedding(parameters, in: downloadedBytes)
/// ```
package enum ImageMetadataWriter {
    /// The PNG text keyword AUTOMATIC1111's web UI writes its parameters under.
    package static let parametersKeyword = "parameters"
    /// The PNG `iTXt` keyword of an XMP packet.
    package static let xmpKeyword = "XML:com.adobe.xmp"
    /// What starts a JPEG `APP1` segment holding XMP.
    package static let jpegXMPHeader = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]

    package static func embedding(
        _ parameters: GenerationParameters,
        in bytes: [UInt8]
    ) throws(ImageMetadataError) -> [UInt8] {
        guard let format = ImageFormat.sniff(bytes) else { throw .unreadable(bytes.isEmpty ? .empty : .unrecognizedFormat) }
        let packet = Array(parameters.xmpPacket().utf8)
        do {
            switch format {
            case .png: return try png(bytes, parameters: Array(parameters.parametersText.utf8), xmp: packet)
            case .jpeg: return try jpeg(bytes, xmp: packet)
            case .webp: return try webp(bytes, xmp: packet)
            }
        } catch let error as ImageMetadataError {
            throw error
        } catch let error as ImageInspectionError {
            throw .unreadable(error)
        } catch {
            throw .unreadable(.malformed(format, reason: "\(error)"))
        }
    }

    /// The XMP packet alone, for the `.xmp` sidecar written next to a picture left untouched.
    package static func sidecar(_ parameters: GenerationParameters) -> [UInt8] {
        Array(parameters.xmpPacket().utf8)
    }

    // MARK: PNG

    private static func png(_ bytes: [UInt8], parameters: [UInt8], xmp: [UInt8]) throws -> [UInt8] {
        var output = PNGLayout.signature
        var inserted = false
        try PNGLayout.forEachChunk(in: bytes) { chunk in
            if chunk.type == PNGLayout.idat, !inserted {
                PNGLayout.appendChunk(PNGLayout.internationalText, data: internationalText(parametersKeyword, parameters), to: &output)
                PNGLayout.appendChunk(PNGLayout.internationalText, data: internationalText(xmpKeyword, xmp), to: &output)
                inserted = true
            }
            if !isOurs(chunk, in: bytes) {
                output += bytes[chunk.data.lowerBound - 8..<chunk.data.upperBound + 4]
            }
            return true
        }
        guard inserted else { throw ImageInspectionError.malformed(.png, reason: "no IDAT chunk") }
        return output
    }

    /// Whether a text chunk carries one of the keywords this writer owns.
    private static func isOurs(_ chunk: PNGLayout.Chunk, in bytes: [UInt8]) -> Bool {
        guard chunk.type == PNGLayout.internationalText || chunk.type == PNGLayout.text || chunk.type == FourCC("zTXt") else {
            return false
        }
        let keyword = bytes[chunk.data].prefix { $0 != 0 }
        return keyword.elementsEqual(parametersKeyword.utf8) || keyword.elementsEqual(xmpKeyword.utf8)
    }

    /// An uncompressed `iTXt` payload: keyword, NUL, compression flag and method (0, 0), empty language tag and
    /// translated keyword (each NUL-terminated), then the UTF-8 text.
    private static func internationalText(_ keyword: String, _ text: [UInt8]) -> [UInt8] {
        Array(keyword.utf8) + [0, 0, 0, 0, 0] + text
    }

    // MARK: JPEG

    private static func jpeg(_ bytes: [UInt8], xmp: [UInt8]) throws -> [UInt8] {
        let payload = jpegXMPHeader + xmp
        guard payload.count <= JPEGLayout.maximumPayload else {
            throw ImageMetadataError.tooLarge(.jpeg, bytes: payload.count, limit: JPEGLayout.maximumPayload)
        }
        var segment: [UInt8] = [0xFF, 0xE1]
        segment.appendUInt16BE(payload.count + 2)
        segment += payload

        // The leading APP0/APP1 run ends where the XMP goes; earlier XMP segments are left out.
        var removed: [Range<Int>] = []
        var insertion = 2
        var leading = true
        try JPEGLayout.forEachSegment(in: bytes) { found in
            let range = found.start..<found.payload.upperBound
            if found.marker == 0xE1, bytes[found.payload].starts(with: jpegXMPHeader) {
                removed.append(range)
            }
            if leading, found.marker == 0xE0 || found.marker == 0xE1 {
                insertion = range.upperBound
            } else {
                leading = false
            }
            return found.marker != JPEGLayout.startOfScan
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + segment.count)
        var offset = 0
        for range in removed where range.upperBound <= insertion {
            output += bytes[offset..<range.lowerBound]
            offset = range.upperBound
        }
        output += bytes[offset..<insertion]
        output += segment
        offset = insertion
        for range in removed where range.lowerBound >= insertion {
            output += bytes[offset..<range.lowerBound]
            offset = range.upperBound
        }
        output += bytes[offset...]
        return output
    }

    // MARK: WebP

    private static func webp(_ bytes: [UInt8], xmp: [UInt8]) throws -> [UInt8] {
        var chunks: [WebPLayout.Chunk] = []
        try WebPLayout.forEachChunk(in: bytes) { chunk in
            chunks.append(chunk)
            return true
        }
        guard let first = chunks.first else { throw ImageInspectionError.truncated(.webp) }
        var body = WebPLayout.webp.bytes
        switch first.type {
        case WebPLayout.extended:
            var header = Array(bytes[first.payload])
            guard header.count >= 10 else { throw ImageInspectionError.truncated(.webp) }
            header[0] |= WebPLayout.xmpFlag
            WebPLayout.appendChunk(WebPLayout.extended, payload: header[...], to: &body)
            for chunk in chunks.dropFirst() where chunk.type != WebPLayout.xmp {
                WebPLayout.appendChunk(chunk.type, payload: bytes[chunk.payload], to: &body)
            }
        case WebPLayout.lossy, WebPLayout.lossless:
            let (width, height) = try WebPLayout.dimensions(in: bytes)
            // VP8L: bit 28 of the header after its signature says whether alpha is used; VP8 has none.
            var flags = WebPLayout.xmpFlag
            if first.type == WebPLayout.lossless, let bits = bytes.uint32LE(at: first.payload.lowerBound + 1), bits >> 28 & 1 == 1 {
                flags |= WebPLayout.alphaFlag
            }
            var header: [UInt8] = [flags, 0, 0, 0]
            header.appendUInt24LE(width - 1)
            header.appendUInt24LE(height - 1)
            WebPLayout.appendChunk(WebPLayout.extended, payload: header[...], to: &body)
            WebPLayout.appendChunk(first.type, payload: bytes[first.payload], to: &body)
        default:
            throw ImageInspectionError.malformed(.webp, reason: "the first chunk is \(first.type), not VP8, VP8L or VP8X")
        }
        WebPLayout.appendChunk(WebPLayout.xmp, payload: xmp[...], to: &body)
        var output = WebPLayout.riff.bytes
        output.appendUInt32LE(body.count)
        return output + body
    }
}
