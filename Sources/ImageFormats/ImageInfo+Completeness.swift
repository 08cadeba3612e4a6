/// Whether a file holds a whole picture, judged from its structure alone.
extension ImageInfo {
    /// Checks that `bytes` reach the end their own structure declares: a JPEG's end-of-image marker after its
    /// last scan, a PNG's `IEND` chunk, a WebP's whole RIFF container. No pixel is decoded: the JPEG walk
    /// looks at marker bytes only, the PNG and WebP walks follow the chunk lengths.
    ///
    /// A file cut short (a producer that stalled mid-write longer than the inbox's settle time, a copy that
    /// broke off) passes ``inspect(_:)``, which reads the header only, and would be sent and billed; this
    /// catches it first. Bytes after the end (some cameras append data after a JPEG's end) are allowed.
    ///
    /// - Throws: ``ImageInspectionError/truncated(_:)`` when the structure ends past the last byte, or
    ///   ``ImageInspectionError/malformed(_:reason:)`` when it breaks the format's rules on the way.
    package static func checkComplete(_ bytes: [UInt8]) throws(ImageInspectionError) {
        guard !bytes.isEmpty else { throw .empty }
        guard let format = ImageFormat.sniff(bytes) else { throw .unrecognizedFormat }
        switch format {
        case .png:
            try PNGLayout.forEachChunk(in: bytes) { _ in true }
        case .webp:
            guard let riffSize = bytes.uint32LE(at: 4), bytes.count >= 8 + riffSize else { throw .truncated(.webp) }
            try WebPLayout.forEachChunk(in: bytes) { _ in true }
        case .jpeg:
            try JPEGLayout.checkEnding(bytes)
        }
    }
}
