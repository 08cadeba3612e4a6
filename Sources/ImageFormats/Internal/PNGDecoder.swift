/// Checks a whole PNG: chunk order and CRCs, a valid `IHDR`, and image data that inflates to exactly
/// the scanlines the header implies, each with a valid filter type.
///
/// Reconstructing pixels from the filters cannot fail, so it is skipped: nothing proportional to the
/// image size is ever allocated.
enum PNGDecoder {
    /// What `IHDR` says about the scanlines.
    struct Header {
        let width: Int
        let height: Int
        let bitDepth: Int
        let colorType: Int
        let interlaced: Bool

        init(_ data: ArraySlice<UInt8>) throws(ImageInspectionError) {
            let bytes = Array(data)
            guard bytes.count == 13, let width = bytes.uint32BE(at: 0), let height = bytes.uint32BE(at: 4) else {
                throw .malformed(.png, reason: "IHDR must hold 13 bytes")
            }
            self.width = width
            self.height = height
            bitDepth = Int(bytes[8])
            colorType = Int(bytes[9])
            interlaced = bytes[12] == 1
            let allowedDepths: [Int: Set<Int>] = [
                0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16],
            ]
            guard let depths = allowedDepths[colorType], depths.contains(bitDepth) else {
                throw .malformed(.png, reason: "bit depth \(bitDepth) with colour type \(colorType)")
            }
            guard bytes[10] == 0, bytes[11] == 0, bytes[12] <= 1 else {
                throw .malformed(.png, reason: "unknown compression, filter or interlace method")
            }
        }

        var bitsPerPixel: Int {
            let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType] ?? 1
            return channels * bitDepth
        }

        /// Bytes per row (filter byte included) and row count of each pass; one pass unless Adam7.
        var passes: [(rowBytes: Int, rows: Int)] {
            let layouts: [(x: Int, y: Int, dx: Int, dy: Int)] =
                interlaced
                ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
                : [(0, 0, 1, 1)]
            return layouts.compactMap { pass in
                let columns = width > pass.x ? (width - pass.x + pass.dx - 1) / pass.dx : 0
                let rows = height > pass.y ? (height - pass.y + pass.dy - 1) / pass.dy : 0
                guard columns > 0, rows > 0 else { return nil }
                return (1 + (columns * bitsPerPixel + 7) / 8, rows)
            }
        }
    }

    /// Follows the inflated stream row by row, checking filter bytes and the total length.
    struct ScanlineCursor {
        private var passes: ArraySlice<(rowBytes: Int, rows: Int)>
        private var rowsLeft: Int
        /// Bytes still to come in the current row; 0 means the next byte is a filter type.
        private var rowBytesLeft = 0

        init(passes: [(rowBytes: Int, rows: Int)]) {
            self.passes = passes[...]
            rowsLeft = self.passes.first?.rows ?? 0
        }

        var isComplete: Bool { passes.isEmpty && rowBytesLeft == 0 }

        mutating func consume(_ block: ArraySlice<UInt8>) throws(ImageInspectionError) {
            var index = block.startIndex
            while index < block.endIndex {
                if rowBytesLeft > 0 {
                    let step = min(rowBytesLeft, block.endIndex - index)
                    rowBytesLeft -= step
                    index += step
                    continue
                }
                guard let pass = passes.first else {
                    throw .malformed(.png, reason: "more image data than the size needs")
                }
                guard block[index] <= 4 else {
                    throw .malformed(.png, reason: "unknown scanline filter \(block[index])")
                }
                rowBytesLeft = pass.rowBytes - 1
                index += 1
                rowsLeft -= 1
                if rowsLeft == 0 {
                    passes = passes.dropFirst()
                    rowsLeft = passes.first?.rows ?? 0
                }
            }
        }
    }

    static func check(_ bytes: [UInt8]) throws(ImageInspectionError) {
        var header: Header?
        var cursor: ScanlineCursor?
        var inflater: ZlibInflater?
        var sawPalette = false
        var sawEnd = false
        var previous: FourCC?
        try PNGLayout.forEachChunk(in: bytes) { chunk throws(ImageInspectionError) in
            try PNGLayout.checkCRC(of: chunk, in: bytes)
            let data = bytes[chunk.data]
            if header == nil {
                guard chunk.type == PNGLayout.ihdr else {
                    throw .malformed(.png, reason: "IHDR is not the first chunk")
                }
                let parsed = try Header(data)
                header = parsed
                cursor = ScanlineCursor(passes: parsed.passes)
                return true
            }
            switch chunk.type {
            case PNGLayout.ihdr:
                throw .malformed(.png, reason: "a second IHDR")
            case PNGLayout.plte:
                sawPalette = true
            case PNGLayout.idat:
                if header?.colorType == 3 && !sawPalette {
                    throw .malformed(.png, reason: "an indexed image without a palette")
                }
                if inflater == nil {
                    inflater = try ZlibInflater()
                } else if previous != PNGLayout.idat {
                    throw .malformed(.png, reason: "IDAT chunks are not consecutive")
                }
                try inflater?.inflate(data) { block throws(ImageInspectionError) in try cursor?.consume(block) }
            case PNGLayout.iend:
                sawEnd = true
            default:
                // Ancillary chunks (lower-case first letter) may be skipped; unknown critical ones may not.
                guard chunk.type.bytes[0] & 0x20 != 0 else {
                    throw .malformed(.png, reason: "unknown critical chunk \(chunk.type)")
                }
            }
            previous = chunk.type
            return true
        }
        guard sawEnd else { throw .truncated(.png) }
        guard let inflater, inflater.finished, cursor?.isComplete == true else {
            throw .malformed(.png, reason: "the image data ends before the last scanline")
        }
    }
}
