/// Proves that bytes are a complete picture, not just something with a plausible header.
///
/// The daemon checks its downloaded outputs' structure before it files them (``checkStructure(_:maxPixels:)``):
/// a truncated download or an error page saved under an image name must not end up as a "result". Decoding every
/// pixel (``verify(_:maxPixels:)``) is the tests' proof that what facedrop and its emulator write (embedded
/// metadata, synthetic outputs) stays a sound picture.
package enum ImageVerifier {
    /// Fully decodes `bytes` with the real codec and returns the header's information.
    ///
    /// PNG: every chunk's CRC is checked and the image data is inflated with zlib, scanline by scanline
    /// (checking each filter byte and the exact amount of data) without keeping the pixels. JPEG:
    /// libturbojpeg decodes every scan; a warning such as a premature end of data is a failure. WebP:
    /// libwebp decodes the image.
    ///
    /// - Parameter maxPixels: the largest area accepted. The size declared in the header is checked
    ///   against it *before* any decoding or allocation, so a PNG declaring 50000×50000 costs nothing.
    /// - Throws: ``ImageInspectionError``.
    package static func verify(_ bytes: [UInt8], maxPixels: Int = 40_000_000) throws(ImageInspectionError) -> ImageInfo {
        let info = try header(bytes, maxPixels: maxPixels)
        let decoded: (width: Int, height: Int)
        switch info.format {
        case .png:
            try PNGDecoder.check(bytes)
            decoded = (info.width, info.height)
        case .jpeg:
            decoded = try TurboJPEG.decode(bytes)
        case .webp:
            decoded = try WebP.decode(bytes)
        }
        guard decoded == (info.width, info.height) else {
            throw .malformed(
                info.format,
                reason: "the header says \(info.width)×\(info.height), the codec \(decoded.width)×\(decoded.height)"
            )
        }
        return info
    }

    /// The header's information, once its size is known to be within `maxPixels` and the format's own limits:
    /// what both depths of check start from, before anything is decoded or allocated.
    static func header(_ bytes: [UInt8], maxPixels: Int) throws(ImageInspectionError) -> ImageInfo {
        let info = try ImageInfo.inspect(bytes)
        guard info.pixelCount <= maxPixels else {
            throw .tooManyPixels(info.format, width: info.width, height: info.height, limit: maxPixels)
        }
        if info.format == .webp, info.width > WebPLayout.maximumDimension || info.height > WebPLayout.maximumDimension {
            throw .invalidDimensions(.webp, width: info.width, height: info.height)
        }
        return info
    }
}
