/// What a picture's header declares: its format and pixel size.
package struct ImageInfo: Sendable, Hashable {
    package let format: ImageFormat
    package let width: Int
    package let height: Int

    package init(format: ImageFormat, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// The number of pixels the header declares.
    package var pixelCount: Int { width * height }

    /// Reads the format and size from the header alone — PNG `IHDR`, the JPEG `SOFn` segment found by
    /// walking the markers, or the WebP `VP8 `/`VP8L`/`VP8X` chunk — without decoding any pixels.
    ///
    /// Safe on hostile bytes: every read is bounds-checked, every loop advances, nothing is allocated
    /// in proportion to a declared size. A PNG that declares 50000×50000 is reported as such; it is
    /// ``ImageVerifier`` that refuses it.
    ///
    /// - Throws: ``ImageInspectionError`` when the bytes are not a well-formed header.
    package static func inspect(_ bytes: some Collection<UInt8>) throws(ImageInspectionError) -> ImageInfo {
        let bytes = Array(bytes)
        guard !bytes.isEmpty else { throw .empty }
        guard let format = ImageFormat.sniff(bytes) else { throw .unrecognizedFormat }
        let (width, height) =
            switch format {
            case .png: try PNGLayout.dimensions(in: bytes)
            case .jpeg: try JPEGLayout.dimensions(in: bytes)
            case .webp: try WebPLayout.dimensions(in: bytes)
            }
        guard width > 0, height > 0 else { throw .invalidDimensions(format, width: width, height: height) }
        return ImageInfo(format: format, width: width, height: height)
    }
}
