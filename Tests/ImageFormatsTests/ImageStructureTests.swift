import FacedropTestSupport
import ImageFormats
import Testing

/// The check the daemon runs on every downloaded output: whole pictures pass, anything cut, padded or corrupted in
/// its structure fails, and nothing crashes it.
@Suite("Structural verification")
struct ImageStructureTests {
    @Test("The fixture photos pass with the size their header gives", arguments: ImageVerifierTests.photos)
    func fixtures(name: String, format: ImageFormat, side: Int) throws {
        #expect(try ImageVerifier.checkStructure(try Fixtures.bytes(name)) == ImageInfo(format: format, width: side, height: side))
    }

    @Test("The emulator's outputs pass, with their metadata embedded too", arguments: ImageFormat.allCases)
    func syntheticOutputs(format: ImageFormat) throws {
        let trace = ImageTrace(requestID: "r", model: "instantid", faceSHA256: "ab", index: 0)
        let bytes = try SyntheticImage.render(width: 320, height: 200, format: format, trace: trace)
        #expect(try ImageVerifier.checkStructure(bytes) == ImageInfo(format: format, width: 320, height: 200))
        let tagged = try ImageMetadataWriter.embedding(ImageMetadataWriterTests.parameters, in: bytes)
        #expect(try ImageVerifier.checkStructure(tagged) == ImageInfo(format: format, width: 320, height: 200))
    }

    @Test("Files cut short fail although their headers are intact", arguments: ImageVerifierTests.photos)
    func truncated(name: String, format: ImageFormat, side: Int) throws {
        let bytes = try Fixtures.bytes(name)
        for fraction in [0.3, 0.6, 0.9, 0.99] {
            let cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
            #expect(try ImageInfo.inspect(cut).width == side)
            #expect(throws: ImageInspectionError.self, "\(name) cut at \(cut.count)") { try ImageVerifier.checkStructure(cut) }
        }
        #expect(throws: ImageInspectionError.self) { try ImageVerifier.checkStructure(Array(bytes.dropLast())) }
    }

    @Test("A body cut in half and padded with an error text fails", arguments: ImageVerifierTests.photos)
    func cutAndPadded(name: String, format: ImageFormat, side: Int) throws {
        let bytes = try Fixtures.bytes(name)
        // What a server that broke off mid-answer and appended its error looks like (the emulator's `malformed` fault).
        let padded = Array(bytes.prefix(bytes.count / 2)) + Array("<<not json".utf8)
        #expect(throws: ImageInspectionError.self) { try ImageVerifier.checkStructure(padded) }
    }

    @Test("A PNG whose chunk data changed fails its CRC")
    func pngCRC() throws {
        var bytes = try Fixtures.bytes(Fixtures.facePNG)
        #expect(throws: Never.self) { try ImageVerifier.checkStructure(bytes) }
        bytes[bytes.count / 2] ^= 0x5A
        #expect(throws: ImageInspectionError.malformed(.png, reason: "chunk IDAT fails its CRC check")) {
            try ImageVerifier.checkStructure(bytes)
        }
    }

    @Test("The pixel limit is the caller's", arguments: ImageFormat.allCases)
    func pixelLimit(format: ImageFormat) throws {
        let trace = ImageTrace(requestID: "r", model: "instantid", faceSHA256: "ab", index: 0)
        let bytes = try SyntheticImage.render(width: 100, height: 100, format: format, trace: trace)
        #expect(try ImageVerifier.checkStructure(bytes, maxPixels: 10_000).width == 100)
        #expect(throws: ImageInspectionError.tooManyPixels(format, width: 100, height: 100, limit: 9_999)) {
            try ImageVerifier.checkStructure(bytes, maxPixels: 9_999)
        }
    }

    @Test("Non-image bytes behind an image name")
    func nonImage() {
        let html = Array("<html><head><title>404 Not Found</title></head></html>".utf8)
        #expect(throws: ImageInspectionError.unrecognizedFormat) { try ImageVerifier.checkStructure(html) }
        #expect(throws: ImageInspectionError.empty) { try ImageVerifier.checkStructure([]) }
    }

    @Test("Flipped bytes never crash the check", arguments: ImageVerifierTests.photos.prefix(3))
    func flippedBytes(name: String, format: ImageFormat, side: Int) throws {
        let original = try Fixtures.bytes(name)
        var random = SeededGenerator(state: UInt64(side) &* 31 &+ UInt64(original.count))
        for _ in 0..<200 {
            var bytes = original
            for _ in 0..<4 {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if let info = try? ImageVerifier.checkStructure(bytes) { #expect(info.format == format) }
        }
    }
}
