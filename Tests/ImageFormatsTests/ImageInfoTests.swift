import FacedropTestSupport
import ImageFormats
import Testing

@Suite("Header inspection")
struct ImageInfoTests {
    @Test(
        "The fixture photos",
        arguments: [
            (Fixtures.faceJPEG, ImageFormat.jpeg, 512), (Fixtures.facePNG, .png, 512), (Fixtures.faceWebP, .webp, 512),
            (Fixtures.smallFaceJPEG, .jpeg, 256),
        ]
    )
    func fixtures(name: String, format: ImageFormat, side: Int) throws {
        let info = try ImageInfo.inspect(try Fixtures.bytes(name))
        #expect(info == ImageInfo(format: format, width: side, height: side))
    }

    @Test("A header alone is enough")
    func headerOnly() throws {
        let jpeg = try Fixtures.bytes(Fixtures.faceJPEG)
        let png = try Fixtures.bytes(Fixtures.facePNG)
        #expect(try ImageInfo.inspect(png.prefix(33)).width == 512)
        #expect(try ImageInfo.inspect(jpeg.prefix(1024)).height == 512)
    }

    @Test("Empty and unknown bytes")
    func emptyAndUnknown() {
        #expect(throws: ImageInspectionError.empty) { try ImageInfo.inspect([UInt8]()) }
        #expect(throws: ImageInspectionError.unrecognizedFormat) {
            try ImageInfo.inspect(Array("<html><body>502 Bad Gateway</body></html>".utf8))
        }
        #expect(throws: ImageInspectionError.unrecognizedFormat) { try ImageInfo.inspect(Array("{\"error\":1}".utf8)) }
    }

    @Test("Truncated headers", arguments: ImageFormat.allCases)
    func truncatedHeaders(format: ImageFormat) throws {
        let name = [ImageFormat.jpeg: Fixtures.faceJPEG, .png: Fixtures.facePNG, .webp: Fixtures.faceWebP][format]!
        let bytes = try Fixtures.bytes(name)
        let cut = format == .webp ? 20 : 12
        #expect(throws: ImageInspectionError.truncated(format)) { try ImageInfo.inspect(bytes.prefix(cut)) }
    }

    @Test("A PNG declaring 50000×50000 is reported as such")
    func hugePNG() throws {
        let png = ImageBytes.pngSignature + ImageBytes.pngHeader(width: 50_000, height: 50_000)
        #expect(try ImageInfo.inspect(png) == ImageInfo(format: .png, width: 50_000, height: 50_000))
    }

    @Test("Zero and out-of-range PNG sizes")
    func invalidPNGSizes() {
        let zero = ImageBytes.pngSignature + ImageBytes.pngHeader(width: 0, height: 10)
        #expect(throws: ImageInspectionError.invalidDimensions(.png, width: 0, height: 10)) {
            try ImageInfo.inspect(zero)
        }
        let huge = ImageBytes.pngSignature + ImageBytes.pngHeader(width: 0xFFFF_FFFF, height: 1)
        #expect(throws: ImageInspectionError.self) { try ImageInfo.inspect(huge) }
    }

    @Test("JPEG marker walks end on hostile structures")
    func jpegMarkerLoops() {
        // Endless fill bytes.
        #expect(throws: ImageInspectionError.truncated(.jpeg)) {
            try ImageInfo.inspect([0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: 100_000))
        }
        // Thousands of empty APP0 segments, then nothing.
        let empties = [UInt8]((0..<10_000).flatMap { _ in [0xFF, 0xE0, 0x00, 0x02] as [UInt8] })
        #expect(throws: ImageInspectionError.truncated(.jpeg)) { try ImageInfo.inspect([0xFF, 0xD8] + empties) }
        // A zero segment length would never advance.
        #expect(throws: ImageInspectionError.self) {
            try ImageInfo.inspect([0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x00, 0xFF])
        }
        // Restart markers over and over, then a second start of image.
        let restarts = [UInt8]((0..<5_000).flatMap { _ in [0xFF, 0xD0] as [UInt8] })
        #expect(throws: ImageInspectionError.self) { try ImageInfo.inspect([0xFF, 0xD8] + restarts + [0xFF, 0xD8]) }
        // A scan before any frame header.
        #expect(throws: ImageInspectionError.malformed(.jpeg, reason: "no frame header before the image data")) {
            try ImageInfo.inspect([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x00])
        }
        // Garbage where a marker must be.
        #expect(throws: ImageInspectionError.self) {
            try ImageInfo.inspect([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 1, 2, 0x41])
        }
    }

    @Test("A JPEG frame header with a zero height")
    func jpegZeroHeight() {
        let frame: [UInt8] = [0xFF, 0xC0, 0x00, 0x0B, 8, 0x00, 0x00, 0x01, 0x00, 1, 1, 0x11, 0]
        #expect(throws: ImageInspectionError.invalidDimensions(.jpeg, width: 256, height: 0)) {
            try ImageInfo.inspect([0xFF, 0xD8] + frame)
        }
    }

    @Test("A WebP whose first chunk is not an image")
    func webpWrongChunk() {
        let bytes = Array("RIFF".utf8) + [20, 0, 0, 0] + Array("WEBPJUNK".utf8) + [4, 0, 0, 0, 1, 2, 3, 4]
        #expect(throws: ImageInspectionError.self) { try ImageInfo.inspect(bytes) }
        let huge = Array("RIFF".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + Array("WEBPVP8X".utf8) + [0xFF, 0xFF, 0xFF, 0x7F]
        #expect(throws: ImageInspectionError.truncated(.webp)) { try ImageInfo.inspect(huge) }
    }

    @Test("Random bytes behind every signature never crash")
    func randomBytes() {
        var random = SeededGenerator(state: 42)
        let signatures: [[UInt8]] = [
            [], ImageBytes.pngSignature, [0xFF, 0xD8, 0xFF], Array("RIFF".utf8) + [64, 0, 0, 0] + Array("WEBP".utf8),
        ]
        var recognised = 0
        for round in 0..<400 {
            let length = Int.random(in: 0..<300, using: &random)
            let tail = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let bytes = signatures[round % signatures.count] + tail
            if (try? ImageInfo.inspect(bytes)) != nil { recognised += 1 }
            _ = try? ImageVerifier.verify(bytes)
            _ = ImageTrace.read(from: bytes)
        }
        #expect(recognised < 400)
    }
}
