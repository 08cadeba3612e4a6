/// Real, decodable pictures made up on the spot, each carrying the ``ImageTrace`` that made it.
///
/// The Segmind emulator answers jobs with these instead of generated art: the pixels are a pattern
/// seeded by the trace (so different jobs look different and the same job always gives the same
/// bytes), and the trace itself is embedded as metadata so tests can prove which input an output
/// belongs to.
///
/// ```swift
/// let trace = ImageTrace(requestID: id, model: "flux-pulid", faceSHA256: faceDigest, index: 0)
/// let png = try SyntheticImage.render(width: 896, height: 1152, format: .png, trace: trace)
/// assert(ImageTrace.read(from: png) == trace)
/// ```
package enum SyntheticImage {
    /// The longest side that can be rendered (WebP's limit, so every format accepts the same sizes).
    package static let maximumDimension = WebPLayout.maximumDimension

    /// The largest area that can be rendered, matching ``ImageVerifier``'s default limit.
    package static let maximumPixelCount = 40_000_000

    /// Renders a `width`×`height` picture in `format` with `trace` embedded.
    ///
    /// Where the trace goes: PNG, an `iTXt` chunk with keyword `facedrop-trace` holding the trace as
    /// JSON; JPEG, a `COM` segment `facedrop-trace:{json}` right after the leading `APPn` segments;
    /// WebP, the extended format (`VP8X`) with a chunk of facedrop's own, `FDTR`, holding the JSON (readers skip
    /// unknown chunks, and the `XMP ` chunk stays free for the generation parameters).
    ///
    /// - Parameters:
    ///   - quality: JPEG and WebP quality, clamped to 1...100 (Segmind accepts 0...100); WebP at 100 is
    ///     lossless. PNG ignores it.
    /// - Throws: ``ImageEncodingError`` for sizes outside 1...``maximumDimension`` per side or above
    ///   ``maximumPixelCount``, a trace too large for a JPEG comment, or a codec failure.
    package static func render(
        width: Int,
        height: Int,
        format: ImageFormat,
        quality: Int = 80,
        trace: ImageTrace
    ) throws(ImageEncodingError) -> [UInt8] {
        guard (1...maximumDimension).contains(width), (1...maximumDimension).contains(height),
            width * height <= maximumPixelCount
        else { throw .invalidDimensions(format, width: width, height: height) }
        let json = try trace.jsonBytes()
        let quality = min(max(quality, 1), 100)
        let pixels = PatternPainter.paint(width: width, height: height, seed: fnv1a64(json))
        switch format {
        case .png:
            return try PNGEncoder.encode(rgb: pixels, width: width, height: height, text: json)
        case .jpeg:
            return try jpeg(pixels, width: width, height: height, quality: quality, json: json)
        case .webp:
            return try webp(pixels, width: width, height: height, quality: quality, json: json)
        }
    }

    private static func jpeg(
        _ pixels: [UInt8],
        width: Int,
        height: Int,
        quality: Int,
        json: [UInt8]
    ) throws(ImageEncodingError) -> [UInt8] {
        let comment = Array((ImageTrace.metadataKeyword + ":").utf8) + json
        guard comment.count <= JPEGLayout.maximumPayload else {
            throw .traceTooLarge(.jpeg, bytes: comment.count, limit: JPEGLayout.maximumPayload)
        }
        let encoded = try TurboJPEG.compress(rgb: pixels, width: width, height: height, quality: quality)
        // Keep JFIF's APP0 (and any other APPn) first, as readers expect, then the comment.
        var insertion = 2
        do {
            try JPEGLayout.forEachSegment(in: encoded) { segment in
                guard (0xE0...0xEF).contains(segment.marker) else { return false }
                insertion = segment.payload.upperBound
                return true
            }
        } catch {
            throw .encoderFailed(.jpeg, reason: "libturbojpeg wrote an unreadable header: \(error)")
        }
        var output = Array(encoded[..<insertion])
        output += JPEGLayout.commentSegment(comment)
        output += encoded[insertion...]
        return output
    }

    private static func webp(
        _ pixels: [UInt8],
        width: Int,
        height: Int,
        quality: Int,
        json: [UInt8]
    ) throws(ImageEncodingError) -> [UInt8] {
        let simple = try WebP.encode(
            rgb: pixels,
            width: width,
            height: height,
            quality: quality,
            lossless: quality == 100
        )
        do {
            return try WebPLayout.extended(simple, width: width, height: height, metadata: json)
        } catch {
            throw .encoderFailed(.webp, reason: "cannot rewrite the container: \(error)")
        }
    }
}
