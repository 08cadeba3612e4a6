/// The check of a picture's structure, without its pixels.
extension ImageVerifier {
    /// Proves that `bytes` are a whole picture of a known format, from its structure alone: the header is read
    /// (and its size held to `maxPixels` before anything else), the file reaches the end its own structure
    /// declares (``ImageInfo/checkComplete(_:)``: a JPEG's end-of-image marker after its last scan, a WebP's
    /// whole RIFF container, a PNG's `IEND`), and every PNG chunk passes its CRC.
    ///
    /// This is what the daemon checks its downloaded outputs with. A truncated download, an error page saved
    /// under an image name, a body cut and padded, all fail here. Decoding every pixel (``verify(_:maxPixels:)``)
    /// would also prove the compressed data inside sound, but it costs milliseconds per picture, more than the
    /// rest of a job's work at Segmind's usual 1024×1024 (BENCHMARKS.md), while HTTPS already guarantees that the
    /// bytes are the ones Segmind sent.
    ///
    /// - Throws: ``ImageInspectionError``.
    package static func checkStructure(_ bytes: [UInt8], maxPixels: Int = 40_000_000) throws(ImageInspectionError) -> ImageInfo {
        let info = try header(bytes, maxPixels: maxPixels)
        if info.format == .png {
            // One walk to `IEND` (which is what completeness means for PNG), checking each chunk on the way.
            try PNGLayout.forEachChunk(in: bytes) { chunk throws(ImageInspectionError) in
                try PNGLayout.checkCRC(of: chunk, in: bytes)
                return true
            }
        } else {
            try ImageInfo.checkComplete(bytes)
        }
        return info
    }
}
