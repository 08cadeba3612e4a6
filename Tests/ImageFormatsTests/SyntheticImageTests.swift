import FacedropTestSupport
import Foundation
import Hashing
import ImageFormats
import Testing

@Suite("Synthetic images")
struct SyntheticImageTests {
    static let trace = ImageTrace(
        requestID: "c1a0b6f2-59d4-4d8e-9b67-3f0f3c1d2e4a",
        model: "flux-pulid",
        faceSHA256: SHA256.hash(Array("face".utf8)).hex,
        poseSHA256: SHA256.hash(Array("pose".utf8)).hex,
        index: 1,
        prompt: "portrait of a woman, neon colour, cinématique — 東京 \"quoted\""
    )

    @Test("Each format renders, decodes, inspects and carries its trace", arguments: ImageFormat.allCases)
    func roundTrip(format: ImageFormat) throws {
        let bytes = try SyntheticImage.render(width: 320, height: 200, format: format, trace: Self.trace)
        let expected = ImageInfo(format: format, width: 320, height: 200)
        #expect(ImageFormat.sniff(bytes) == format)
        #expect(try ImageInfo.inspect(bytes) == expected)
        #expect(try ImageVerifier.verify(bytes) == expected)
        #expect(ImageTrace.read(from: bytes) == Self.trace)
    }

    @Test("Odd and tiny sizes", arguments: ImageFormat.allCases)
    func oddSizes(format: ImageFormat) throws {
        for (width, height) in [(1, 1), (3, 7), (17, 1), (513, 257)] {
            let bytes = try SyntheticImage.render(width: width, height: height, format: format, trace: Self.trace)
            #expect(try ImageVerifier.verify(bytes) == ImageInfo(format: format, width: width, height: height))
        }
    }

    @Test("A trace without optional fields survives", arguments: ImageFormat.allCases)
    func minimalTrace(format: ImageFormat) throws {
        let trace = ImageTrace(requestID: "r", model: "pulid-base", faceSHA256: "00", index: 0)
        let bytes = try SyntheticImage.render(width: 64, height: 64, format: format, quality: 100, trace: trace)
        #expect(ImageTrace.read(from: bytes) == trace)
        #expect(ImageTrace.read(from: bytes)?.poseSHA256 == nil)
    }

    @Test("The same trace gives identical bytes", arguments: ImageFormat.allCases)
    func deterministic(format: ImageFormat) throws {
        let first = try SyntheticImage.render(width: 256, height: 256, format: format, quality: 70, trace: Self.trace)
        let second = try SyntheticImage.render(width: 256, height: 256, format: format, quality: 70, trace: Self.trace)
        #expect(first == second)
    }

    @Test("Different traces give different pixels")
    func differentPixels() throws {
        var other = Self.trace
        other.index = 2
        let first = try SyntheticImage.render(width: 128, height: 128, format: .png, trace: Self.trace)
        let second = try SyntheticImage.render(width: 128, height: 128, format: .png, trace: other)
        // The compressed image data differs, not just the embedded text.
        #expect(ImageBytes.pngChunks("IDAT", in: first) != ImageBytes.pngChunks("IDAT", in: second))
        #expect(ImageTrace.read(from: second)?.index == 2)
    }

    @Test("The PNG has one iTXt chunk with our keyword, the WebP is extended with the trace in an FDTR chunk")
    func metadataLayout() throws {
        let png = try SyntheticImage.render(width: 16, height: 16, format: .png, trace: Self.trace)
        let text = try #require(ImageBytes.pngChunks("iTXt", in: png).first)
        #expect(text.starts(with: Array("facedrop-trace\0".utf8)))

        let webp = try SyntheticImage.render(width: 16, height: 16, format: .webp, trace: Self.trace)
        #expect(String(decoding: webp[12..<16], as: UTF8.self) == "VP8X")
        #expect(webp[20] & 0x04 == 0, "no XMP flag: the XMP chunk is left to the generation parameters")
        #expect(Array(webp).firstRange(of: Array("FDTR".utf8)) != nil)
        let riffSize = webp[4..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(riffSize == webp.count - 8)
        #expect(webp.count % 2 == 0)

        let jpeg = try SyntheticImage.render(width: 16, height: 16, format: .jpeg, trace: Self.trace)
        let comment = Array("facedrop-trace:".utf8)
        #expect(jpeg.firstRange(of: comment) != nil)
    }

    @Test("Invalid sizes are refused", arguments: [(0, 10), (10, 0), (-1, 5), (16_384, 1), (10_000, 10_000)])
    func invalidSizes(width: Int, height: Int) {
        #expect(throws: ImageEncodingError.invalidDimensions(.png, width: width, height: height)) {
            try SyntheticImage.render(width: width, height: height, format: .png, trace: Self.trace)
        }
    }

    @Test("A trace too large for a JPEG comment")
    func oversizedJPEGTrace() {
        var trace = Self.trace
        trace.prompt = String(repeating: "a", count: 70_000)
        #expect(throws: ImageEncodingError.self) {
            try SyntheticImage.render(width: 8, height: 8, format: .jpeg, trace: trace)
        }
    }

    @Test("A 1024×1024 render stays quick", arguments: ImageFormat.allCases)
    func renderTime(format: ImageFormat) throws {
        let clock = ContinuousClock()
        var bytes: [UInt8] = []
        let elapsed = try clock.measure {
            bytes = try SyntheticImage.render(width: 1024, height: 1024, format: format, trace: Self.trace)
        }
        // Generous: debug builds on a shared two-core machine; release builds take a few tens of milliseconds.
        #expect(elapsed < .seconds(5))
        #expect(bytes.count < 1_500_000)
    }
}

@Suite("Reading traces written by other tools")
struct ForeignTraceTests {
    @Test("A plain tEXt chunk in a real photo is found, and the photo still verifies")
    func textChunkInFixture() throws {
        let png = try Fixtures.bytes(Fixtures.facePNG)
        let trace = ImageTrace(requestID: "r-7", model: "instantid", faceSHA256: "ff", index: 3)
        let json = #"{"requestID":"r-7","model":"instantid","faceSHA256":"ff","index":3}"#
        let chunk = ImageBytes.pngChunk("tEXt", Array("facedrop-trace\0\(json)".utf8))
        let headerEnd = 8 + 25  // signature, then IHDR (length, type, 13 bytes, CRC)
        let tagged = Array(png[..<headerEnd]) + chunk + Array(png[headerEnd...])
        #expect(ImageTrace.read(from: tagged) == trace)
        #expect(try ImageVerifier.verify(tagged).width == 512)
    }

    @Test("Other keywords and comments are not traces")
    func otherText() throws {
        let png = try Fixtures.bytes(Fixtures.facePNG)
        let chunk = ImageBytes.pngChunk("tEXt", Array("Comment\0{\"requestID\":\"x\"}".utf8))
        #expect(ImageTrace.read(from: Array(png[..<33]) + chunk + Array(png[33...])) == nil)
        #expect(ImageTrace.read(from: Array("facedrop-trace:{}".utf8)) == nil)
    }
}
