/// The marker structure of JPEG files, up to the first scan.
enum JPEGLayout {
    static let startOfImage: UInt8 = 0xD8
    static let endOfImage: UInt8 = 0xD9
    static let startOfScan: UInt8 = 0xDA
    static let comment: UInt8 = 0xFE

    /// One marker segment: the marker byte and where its payload (after the length) sits.
    struct Segment {
        let marker: UInt8
        /// Where the segment starts (its `0xFF`), for inserting segments before it.
        let start: Int
        let payload: Range<Int>
    }

    /// `SOF0`…`SOF15`, except `DHT` (C4), `JPG` (C8) and `DAC` (CC), which share the range.
    static func isStartOfFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
    }

    /// The size in the first `SOFn` segment before the first scan.
    static func dimensions(in bytes: [UInt8]) throws(ImageInspectionError) -> (width: Int, height: Int) {
        var size: (width: Int, height: Int)?
        try forEachSegment(in: bytes) { segment throws(ImageInspectionError) in
            guard isStartOfFrame(segment.marker) else { return true }
            guard segment.payload.count >= 6, let height = bytes.uint16BE(at: segment.payload.lowerBound + 1),
                let width = bytes.uint16BE(at: segment.payload.lowerBound + 3)
            else { throw .malformed(.jpeg, reason: "the frame header is too short") }
            size = (width, height)
            return false
        }
        guard let size else { throw .malformed(.jpeg, reason: "no frame header before the image data") }
        return size
    }

    /// Calls `body` for each marker segment from `SOI` up to and including the first `SOS`, until it
    /// returns `false`.
    ///
    /// Every step consumes at least one byte and lengths below 2 are rejected, so the walk ends on any
    /// input, including endless fill bytes or repeated markers.
    /// - Throws: `.truncated(.jpeg)` when a segment runs past the end; `.malformed` for bytes that are
    ///   not a marker where one must be, a second `SOI`, or `EOI` before any scan.
    static func forEachSegment(
        in bytes: [UInt8],
        _ body: (Segment) throws(ImageInspectionError) -> Bool
    ) throws(ImageInspectionError) {
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == startOfImage else {
            throw .malformed(.jpeg, reason: "missing the start-of-image marker")
        }
        var offset = 2
        while true {
            guard offset < bytes.count else { throw .truncated(.jpeg) }
            guard bytes[offset] == 0xFF else { throw .malformed(.jpeg, reason: "expected a marker at byte \(offset)") }
            let start = offset
            while offset < bytes.count, bytes[offset] == 0xFF { offset += 1 }  // fill bytes
            guard offset < bytes.count else { throw .truncated(.jpeg) }
            let marker = bytes[offset]
            offset += 1
            switch marker {
            case 0x01, 0xD0...0xD7:
                continue  // standalone markers carry no length
            case 0x00, startOfImage, endOfImage:
                throw .malformed(.jpeg, reason: "unexpected marker 0xFF" + marker.twoHexDigits)
            default:
                break
            }
            guard let length = bytes.uint16BE(at: offset) else { throw .truncated(.jpeg) }
            guard length >= 2 else { throw .malformed(.jpeg, reason: "segment length \(length) at byte \(offset)") }
            let payload = offset + 2..<offset + length
            guard payload.upperBound <= bytes.count else { throw .truncated(.jpeg) }
            guard try body(Segment(marker: marker, start: start, payload: payload)), marker != startOfScan else {
                return
            }
            offset = payload.upperBound
        }
    }

    /// Walks the whole file, segments and entropy-coded data alike, until the end-of-image marker.
    ///
    /// Inside entropy-coded data a `0xFF` is followed by `0x00` (a stuffed byte) or a restart marker; any other
    /// marker ends the scan (a progressive file has tables and further scans after it), so `EOI` cannot be
    /// missed or faked by image data. Every step advances, so the walk ends on any input.
    /// - Throws: `.truncated(.jpeg)` when the bytes end before `EOI`.
    static func checkEnding(_ bytes: [UInt8]) throws(ImageInspectionError) {
        var offset = 0
        try forEachSegment(in: bytes) { segment throws(ImageInspectionError) in
            offset = segment.payload.upperBound
            return true
        }
        let count = bytes.count
        try bytes.withUnsafeBufferPointer { buffer throws(ImageInspectionError) in
            while true {
                offset = nextMarkerByte(in: buffer, from: offset)
                var next = offset + 1
                while next < count, buffer[next] == 0xFF { next += 1 }  // fill bytes
                guard next < count else { throw .truncated(.jpeg) }
                let marker = buffer[next]
                switch marker {
                case 0x00, 0x01, 0xD0...0xD7:
                    offset = next + 1  // a stuffed 0xFF, TEM or a restart marker: no length follows
                case endOfImage:
                    return
                case startOfImage:
                    throw .malformed(.jpeg, reason: "a second start-of-image marker at byte \(next - 1)")
                default:
                    guard next + 2 < count else { throw .truncated(.jpeg) }
                    let length = Int(buffer[next + 1]) << 8 | Int(buffer[next + 2])
                    guard length >= 2 else { throw .malformed(.jpeg, reason: "segment length \(length) at byte \(next + 1)") }
                    offset = next + 1 + length
                    guard offset <= count else { throw .truncated(.jpeg) }
                }
            }
        }
    }

    /// The offset of the first `0xFF` at or after `offset`, or the end: entropy-coded data is most of a file,
    /// so it is looked through a 64-bit word at a time (`(~w - 0x01…) & w & 0x80…` is non-zero exactly when a
    /// byte of `w` is `0xFF`), and byte by byte only in the word that holds one.
    private static func nextMarkerByte(in buffer: UnsafeBufferPointer<UInt8>, from offset: Int) -> Int {
        let raw = UnsafeRawBufferPointer(buffer)
        var offset = offset
        while offset + 8 <= raw.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if (~word &- 0x0101_0101_0101_0101) & word & 0x8080_8080_8080_8080 != 0 { break }
            offset += 8
        }
        while offset < buffer.count, buffer[offset] != 0xFF { offset += 1 }
        return offset
    }

    /// A `COM` segment holding `text`.
    static func commentSegment(_ text: [UInt8]) -> [UInt8] {
        var segment: [UInt8] = [0xFF, comment]
        segment.appendUInt16BE(text.count + 2)
        return segment + text
    }

    /// The largest payload of one segment.
    static let maximumPayload = 65_533
}

extension UInt8 {
    /// The byte as two uppercase hex digits, for messages.
    var twoHexDigits: String {
        let hex = String(self, radix: 16, uppercase: true)
        return hex.count == 1 ? "0" + hex : hex
    }
}
