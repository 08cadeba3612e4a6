import FacedropTestSupport
import ImageFormats
import Testing

/// Both checks of a picture: its structure (what the daemon runs on every downloaded output) and every pixel
/// decoded (the tests' proof that what facedrop writes stays sound). Whole pictures pass both; anything cut, padded
/// or corrupted in its structure fails both; nothing crashes either.
@Suite("Verification")
struct ImageVerifierTests {
    /// How deep a check looks.
    enum Depth: CaseIterable, Sendable, CustomTestStringConvertible {
        case structure, pixels

        func check(_ bytes: [UInt8], maxPixels: Int = 40_000_000) throws(ImageInspectionError) -> ImageInfo {
            switch self {
            case .structure: try ImageVerifier.checkStructure(bytes, maxPixels: maxPixels)
            case .pixels: try ImageVerifier.verify(bytes, maxPixels: maxPixels)
            }
        }

        var testDescription: String { self == .structure ? "structure" : "pixels" }
    }

    static let photos = [
        (Fixtures.faceJPEG, ImageFormat.jpeg, 512), (Fixtures.facePNG, .png, 512), (Fixtures.faceWebP, .webp, 512),
        (Fixtures.smallFaceJPEG, .jpeg, 256), (Fixtures.poseJPEG, .jpeg, 512),
    ]

    @Test("The fixture photos pass", arguments: photos, Depth.allCases)
    func fixtures(photo: (name: String, format: ImageFormat, side: Int), depth: Depth) throws {
        let (name, format, side) = photo
        let info = try depth.check(try Fixtures.bytes(name))
        #expect(info == ImageInfo(format: format, width: side, height: side))
        #expect(ImageTrace.read(from: try Fixtures.bytes(name)) == nil)
    }

    @Test("Truncated files fail although their headers are intact", arguments: photos, Depth.allCases)
    func truncated(photo: (name: String, format: ImageFormat, side: Int), depth: Depth) throws {
        let (name, _, side) = photo
        let bytes = try Fixtures.bytes(name)
        for fraction in [0.3, 0.6, 0.9, 0.99] {
            let cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
            #expect(try ImageInfo.inspect(cut).width == side)
            #expect(throws: ImageInspectionError.self, "\(name) cut at \(cut.count)") { try depth.check(cut) }
        }
        #expect(throws: ImageInspectionError.self) { try depth.check(Array(bytes.dropLast())) }
    }

    @Test("A body cut in half and padded with an error text fails", arguments: photos, Depth.allCases)
    func cutAndPadded(photo: (name: String, format: ImageFormat, side: Int), depth: Depth) throws {
        let bytes = try Fixtures.bytes(photo.name)
        // What a server that broke off mid-answer and appended its error looks like (the emulator's `malformed` fault).
        let padded = Array(bytes.prefix(bytes.count / 2)) + Array("<<not json".utf8)
        #expect(throws: ImageInspectionError.self) { try depth.check(padded) }
    }

    @Test("The emulator's outputs pass, with facedrop's metadata embedded too", arguments: ImageFormat.allCases, Depth.allCases)
    func syntheticOutputs(format: ImageFormat, depth: Depth) throws {
        let trace = ImageTrace(requestID: "r", model: "instantid", faceSHA256: "ab", index: 0)
        let bytes = try SyntheticImage.render(width: 320, height: 200, format: format, trace: trace)
        #expect(try depth.check(bytes) == ImageInfo(format: format, width: 320, height: 200))
        let tagged = try ImageMetadataWriter.embedding(ImageMetadataWriterTests.parameters, in: bytes)
        #expect(try depth.check(tagged) == ImageInfo(format: format, width: 320, height: 200))
    }

    @Test("A PNG whose chunk data changed fails its CRC", arguments: Depth.allCases)
    func pngCRC(depth: Depth) throws {
        var bytes = try Fixtures.bytes(Fixtures.facePNG)
        bytes[bytes.count / 2] ^= 0x5A
        #expect(throws: ImageInspectionError.malformed(.png, reason: "chunk IDAT fails its CRC check")) { try depth.check(bytes) }
    }

    @Test("A PNG declaring 50000×50000 is refused before decoding", arguments: Depth.allCases)
    func hugePNG(depth: Depth) {
        let png = ImageBytes.pngDeclaring(width: 50_000, height: 50_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: ImageInspectionError.tooManyPixels(.png, width: 50_000, height: 50_000, limit: 40_000_000)) {
                try depth.check(png)
            }
        }
        #expect(elapsed < .seconds(1))
    }

    @Test("The pixel limit is the caller's", arguments: ImageFormat.allCases, Depth.allCases)
    func pixelLimit(format: ImageFormat, depth: Depth) throws {
        let trace = ImageTrace(requestID: "r", model: "instantid", faceSHA256: "ab", index: 0)
        let bytes = try SyntheticImage.render(width: 100, height: 100, format: format, trace: trace)
        #expect(try depth.check(bytes, maxPixels: 10_000).width == 100)
        #expect(throws: ImageInspectionError.tooManyPixels(format, width: 100, height: 100, limit: 9_999)) {
            try depth.check(bytes, maxPixels: 9_999)
        }
    }

    @Test("A tiny hand-made PNG decodes; a wrong amount of image data does not")
    func handMadePNG() {
        // 1×1 RGB: one filter byte and three samples, stored uncompressed in a zlib stream.
        let raw: [UInt8] = [0, 10, 20, 30]
        let adler: [UInt8] = [0x00, 0x68, 0x00, 0x3D]  // Adler-32 of raw
        let zlib: [UInt8] = [0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF] + raw + adler
        let good =
            ImageBytes.pngSignature + ImageBytes.pngHeader(width: 1, height: 1) + ImageBytes.pngChunk("IDAT", zlib)
            + ImageBytes.pngChunk("IEND", [])
        #expect(throws: Never.self) { try ImageVerifier.verify(good) }

        let tooTall =
            ImageBytes.pngSignature + ImageBytes.pngHeader(width: 1, height: 2) + ImageBytes.pngChunk("IDAT", zlib)
            + ImageBytes.pngChunk("IEND", [])
        #expect(throws: ImageInspectionError.self) { try ImageVerifier.verify(tooTall) }

        var badFilter = raw
        badFilter[0] = 9
        let badZlib: [UInt8] = [0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF] + badFilter + [0x00, 0x8C, 0x00, 0x46]
        let bad =
            ImageBytes.pngSignature + ImageBytes.pngHeader(width: 1, height: 1) + ImageBytes.pngChunk("IDAT", badZlib)
            + ImageBytes.pngChunk("IEND", [])
        #expect(throws: ImageInspectionError.malformed(.png, reason: "unknown scanline filter 9")) {
            try ImageVerifier.verify(bad)
        }
    }

    @Test("Non-image bytes behind an image name", arguments: Depth.allCases)
    func nonImage(depth: Depth) {
        let html = Array("<html><head><title>404 Not Found</title></head></html>".utf8)
        #expect(throws: ImageInspectionError.unrecognizedFormat) { try depth.check(html) }
        #expect(throws: ImageInspectionError.empty) { try depth.check([]) }
    }

    @Test("Flipped bytes in the fixtures never crash a check", arguments: photos.prefix(3), Depth.allCases)
    func flippedBytes(photo: (name: String, format: ImageFormat, side: Int), depth: Depth) throws {
        let (name, format, side) = photo
        let original = try Fixtures.bytes(name)
        var random = SeededGenerator(state: UInt64(side) &+ UInt64(original.count))
        for _ in 0..<(depth == .structure ? 200 : 40) {
            var bytes = original
            for _ in 0..<4 {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if let info = try? depth.check(bytes) { #expect(info.format == format) }
            _ = ImageTrace.read(from: bytes)
        }
    }
}
