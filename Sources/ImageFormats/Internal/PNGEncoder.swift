/// Writes 8-bit RGB PNGs chunk by chunk: signature, `IHDR`, `iTXt`, one `IDAT`, `IEND`.
enum PNGEncoder {
    /// zlib level 1: on smooth synthetic pictures it compresses nearly as well as 6, several times faster.
    static let compressionLevel: Int32 = 1

    static func encode(rgb: [UInt8], width: Int, height: Int, text: [UInt8]) throws(ImageEncodingError) -> [UInt8] {
        var header: [UInt8] = []
        header.appendUInt32BE(width)
        header.appendUInt32BE(height)
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type RGB, deflate, adaptive filters, no interlace

        // iTXt: keyword NUL, uncompressed, method 0, empty language tag NUL, empty translated keyword NUL, UTF-8.
        let textChunk = Array(ImageTrace.metadataKeyword.utf8) + [0, 0, 0, 0, 0] + text

        var output = PNGLayout.signature
        PNGLayout.appendChunk(PNGLayout.ihdr, data: header, to: &output)
        PNGLayout.appendChunk(PNGLayout.internationalText, data: textChunk, to: &output)
        let compressed = try Zlib.compress(
            filteredScanlines(rgb, width: width, height: height),
            level: compressionLevel
        )
        PNGLayout.appendChunk(PNGLayout.idat, data: compressed, to: &output)
        PNGLayout.appendChunk(PNGLayout.iend, data: [], to: &output)
        return output
    }

    /// Each row with the "Up" filter (the first with "None"): on vertical gradients and flat shapes the
    /// differences are nearly constant, which deflate packs tightly.
    private static func filteredScanlines(_ rgb: [UInt8], width: Int, height: Int) -> [UInt8] {
        let rowBytes = width * 3
        var output = [UInt8](repeating: 0, count: (rowBytes + 1) * height)
        var target = 0
        for y in 0..<height {
            let row = y * rowBytes
            output[target] = y == 0 ? 0 : 2
            target += 1
            if y == 0 {
                for x in 0..<rowBytes { output[target + x] = rgb[row + x] }
            } else {
                for x in 0..<rowBytes { output[target + x] = rgb[row + x] &- rgb[row - rowBytes + x] }
            }
            target += rowBytes
        }
        return output
    }
}
