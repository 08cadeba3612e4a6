import FacedropTestSupport
import ImageFormats
import Testing

@Suite("Whole files: a picture cut short is told from a whole one")
struct ImageCompletenessTests {
    static let fixtures = [Fixtures.faceJPEG, Fixtures.smallFaceJPEG, Fixtures.facePNG, Fixtures.faceWebP, Fixtures.poseJPEG]

    @Test("The fixture photos are whole", arguments: fixtures)
    func wholeFixtures(name: String) throws {
        try ImageInfo.checkComplete(try Fixtures.bytes(name))
    }

    @Test("Every cut of a fixture past its header is refused as truncated", arguments: fixtures)
    func everyCutIsTruncated(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let format = try #require(ImageFormat.sniff(bytes))
        // From just past the header to one byte short, in 97 steps, plus the last few bytes one by one.
        var cuts = Set(stride(from: 64, to: bytes.count, by: max(1, bytes.count / 97)))
        for missing in 1...8 { cuts.insert(bytes.count - missing) }
        for cut in cuts.sorted() {
            #expect(throws: ImageInspectionError.truncated(format), "\(name) cut to \(cut) of \(bytes.count) bytes") {
                try ImageInfo.checkComplete(Array(bytes.prefix(cut)))
            }
        }
    }

    @Test("Bytes after a JPEG's end-of-image marker are allowed (cameras append data there)")
    func trailingDataAfterJPEG() throws {
        let bytes = try Fixtures.bytes(Fixtures.faceJPEG)
        try ImageInfo.checkComplete(bytes + Array(repeating: 0, count: 4096))
        try ImageInfo.checkComplete(bytes + Array("trailer".utf8))
    }

    /// A progressive JPEG's layout, by hand: tables and a second scan follow the first scan's data, whose
    /// stuffed `FF 00` and restart markers must not be taken for the end.
    static func progressiveLayout(ending: Bool) -> [UInt8] {
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += [0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]  // DQT (short, the walk reads lengths only)
        bytes += [0xFF, 0xC2, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00]  // SOF2 16×16
        bytes += [0xFF, 0xC4, 0x00, 0x04, 0x00, 0x00]  // DHT
        bytes += [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00]  // SOS
        bytes += [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0x00, 0x78]  // data, stuffing, RST0, fill
        bytes += [0xFF, 0xC4, 0x00, 0x04, 0x10, 0x00]  // DHT between scans
        bytes += [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3F, 0x00]  // second SOS
        bytes += [0x9A, 0xFF, 0x00, 0xBC]
        if ending { bytes += [0xFF, 0xD9] }
        return bytes
    }

    @Test("A JPEG with several scans is whole only with its end-of-image marker")
    func progressiveJPEG() throws {
        try ImageInfo.checkComplete(Self.progressiveLayout(ending: true))
        #expect(throws: ImageInspectionError.truncated(.jpeg)) { try ImageInfo.checkComplete(Self.progressiveLayout(ending: false)) }
    }

    @Test("The end-of-image marker is found wherever it falls in the scan data, and only there")
    func markerAtEveryOffset() throws {
        let header = Array(Self.progressiveLayout(ending: true).prefix(37))  // SOI, DQT, SOF2, DHT, SOS
        for before in 0..<17 {
            for after in 0..<17 {
                let data = Array(repeating: UInt8(0xFE), count: before) + [0xFF, 0x00] + Array(repeating: UInt8(0x7F), count: after)
                try ImageInfo.checkComplete(header + data + [0xFF, 0xD9])
                #expect(throws: ImageInspectionError.truncated(.jpeg)) { try ImageInfo.checkComplete(header + data) }
            }
        }
    }

    @Test("A segment that claims more bytes than the file has is truncated; a second start-of-image is malformed")
    func brokenJPEGStructure() throws {
        var long = Self.progressiveLayout(ending: false)
        long += [0xFF, 0xE1, 0x40, 0x00, 0x01, 0x02]  // APP1 of 16 KiB, cut
        #expect(throws: ImageInspectionError.truncated(.jpeg)) { try ImageInfo.checkComplete(long) }
        var second = Self.progressiveLayout(ending: false)
        second += [0xFF, 0xD8, 0xFF, 0xD9]
        #expect(throws: ImageInspectionError.self) { try ImageInfo.checkComplete(second) }
    }

    @Test("A WebP whose RIFF size is larger than the file is truncated")
    func webpRIFFSize() throws {
        var bytes = try Fixtures.bytes(Fixtures.faceWebP)
        try ImageInfo.checkComplete(bytes)
        bytes.removeLast(2)
        #expect(throws: ImageInspectionError.truncated(.webp)) { try ImageInfo.checkComplete(bytes) }
    }
}
