import FacedropTestSupport
import ImageFormats
import Testing

@Suite("Full verification")
struct ImageVerifierTests {
    static let photos = [
        (Fixtures.faceJPEG, ImageFormat.jpeg, 512), (Fixtures.facePNG, .png, 512), (Fixtures.faceWebP, .webp, 512),
        (Fixtures.smallFaceJPEG, .jpeg, 256), (Fixtures.poseJPEG, .jpeg, 512),
    ]

    @Test("The fixture photos decode", arguments: photos)
    func fixtures(name: String, format: ImageFormat, side: Int) throws {
        let info = try ImageVerifier.verify(try Fixtures.bytes(name))
        #expect(info == ImageInfo(format: format, width: side, height: side))
        #expect(ImageTrace.read(from: try Fixtures.bytes(name)) == nil)
    }

    @Test("Truncated files fail although their headers are intact", arguments: photos)
    func truncated(name: String, format: ImageFormat, side: Int) throws {
        let bytes = try Fixtures.bytes(name)
        for fraction in [0.3, 0.6, 0.9, 0.99] {
            let cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
            #expect(try ImageInfo.inspect(cut).width == side)
            #expect(throws: ImageInspectionError.self, "\(name) cut at \(cut.count)") { try ImageVerifier.verify(cut) }
        }
    }

    @Test("A corrupted PNG chunk fails its CRC")
    func pngCRC() throws {
        var bytes = try Fixtures.bytes(Fixtures.facePNG)
        bytes[bytes.count / 2] ^= 0x5A
        #expect(throws: ImageInspectionError.self) { try ImageVerifier.verify(bytes) }
    }

    @Test("A PNG declaring 50000×50000 is refused before decoding")
    func hugePNG() {
        let png = ImageBytes.pngDeclaring(width: 50_000, height: 50_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: ImageInspectionError.tooManyPixels(.png, width: 50_000, height: 50_000, limit: 40_000_000)) {
                try ImageVerifier.verify(png)
            }
        }
        #expect(elapsed < .seconds(1))
    }

    @Test("The pixel limit is the caller's", arguments: ImageFormat.allCases)
    func pixelLimit(format: ImageFormat) throws {
        let trace = ImageTrace(requestID: "r", model: "instantid", faceSHA256: "ab", index: 0)
        let bytes = try SyntheticImage.render(width: 100, height: 100, format: format, trace: trace)
        #expect(try ImageVerifier.verify(bytes, maxPixels: 10_000).width == 100)
        #expect(throws: ImageInspectionError.tooManyPixels(format, width: 100, height: 100, limit: 9_999)) {
            try ImageVerifier.verify(bytes, maxPixels: 9_999)
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

    @Test("Non-image bytes behind an image name")
    func nonImage() {
        let html = Array("<html><head><title>404 Not Found</title></head></html>".utf8)
        #expect(throws: ImageInspectionError.unrecognizedFormat) { try ImageVerifier.verify(html) }
        #expect(throws: ImageInspectionError.empty) { try ImageVerifier.verify([]) }
    }

    @Test("Flipped bytes in the fixtures never crash the decoders", arguments: photos.prefix(3))
    func flippedBytes(name: String, format: ImageFormat, side: Int) throws {
        let original = try Fixtures.bytes(name)
        var random = SeededGenerator(state: UInt64(side) &+ UInt64(original.count))
        for _ in 0..<40 {
            var bytes = original
            for _ in 0..<4 {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if let info = try? ImageVerifier.verify(bytes) { #expect(info.format == format) }
            _ = ImageTrace.read(from: bytes)
        }
    }
}
