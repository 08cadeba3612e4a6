import FacedropTestSupport
import Foundation
import ImageFormats
import StrictJSON
import Testing

@Suite("Generation parameters written into the pictures")
struct ImageMetadataWriterTests {
    static let parameters = GenerationParameters(
        prompt: "a portrait of an astronaut, \"golden\" light & <soft> shadows — été",
        negativePrompt: "blurry, low quality",
        seed: 42_424_242,
        model: "flux-pulid",
        steps: 20,
        width: 896,
        height: 1152,
        requestID: "c8a5b7e2-1f3d-4a6b-9e0c-2d7f4b8a1c3e",
        software: "facedrop 0.1.0 (abc123)"
    )

    static let trace = ImageTrace(requestID: "req-1", model: "flux-pulid", faceSHA256: String(repeating: "a", count: 64), index: 0)

    /// Generated pictures as the emulator makes them (with a trace), and the real fixture photos.
    static func pictures() throws -> [(String, [UInt8])] {
        [
            ("png", try SyntheticImage.render(width: 64, height: 48, format: .png, trace: trace)),
            ("jpeg", try SyntheticImage.render(width: 64, height: 48, format: .jpeg, trace: trace)),
            ("webp lossy", try SyntheticImage.render(width: 64, height: 48, format: .webp, quality: 80, trace: trace)),
            ("webp lossless", try SyntheticImage.render(width: 64, height: 48, format: .webp, quality: 100, trace: trace)),
            ("photo.jpg", try Fixtures.bytes(Fixtures.faceJPEG)),
            ("photo.png", try Fixtures.bytes(Fixtures.facePNG)),
            ("photo.webp", try Fixtures.bytes(Fixtures.faceWebP)),
        ]
    }

    @Test("every format still decodes whole at its size, keeps its other metadata, and takes the parameters once")
    func embedsWithoutHarm() throws {
        for (name, original) in try Self.pictures() {
            let tagged = try ImageMetadataWriter.embedding(Self.parameters, in: original)
            #expect(try ImageVerifier.verify(tagged) == ImageVerifier.verify(original), "\(name)")
            #expect(ImageTrace.read(from: tagged) == ImageTrace.read(from: original), "\(name): the trace is kept")
            #expect(try ImageMetadataWriter.embedding(Self.parameters, in: tagged) == tagged, "\(name): written twice, one copy")
            let packet = Array(Self.parameters.xmpPacket().utf8)
            #expect(Self.occurrences(of: packet, in: tagged) == 1, "\(name): one XMP packet")
        }
    }

    @Test("exiftool reads the prompt, the seed and the rest from each format")
    func exiftoolReadsThem() throws {
        let folder = try TemporaryDirectory(prefix: "facedrop-xmp")
        for (name, original) in try Self.pictures() {
            let ext = name.contains("png") ? "png" : name.contains("webp") ? "webp" : "jpg"
            let path = folder.appending("\(name.replacingOccurrences(of: " ", with: "-")).\(ext)")
            try Data(try ImageMetadataWriter.embedding(Self.parameters, in: original)).write(to: URL(fileURLWithPath: path))
            let tags = try ExifTool.tags(of: path)
            #expect(tags["XMP:Description"]?.stringValue == Self.parameters.prompt, "\(name)")
            #expect(tags["XMP:CreatorTool"]?.stringValue == Self.parameters.software, "\(name)")
            #expect(tags["XMP:Prompt"]?.stringValue == Self.parameters.prompt, "\(name)")
            #expect(tags["XMP:NegativePrompt"]?.stringValue == Self.parameters.negativePrompt, "\(name)")
            #expect(tags["XMP:Seed"]?.intValue == 42_424_242, "\(name)")
            #expect(tags["XMP:Steps"]?.intValue == 20, "\(name)")
            #expect(tags["XMP:Model"]?.stringValue == "flux-pulid", "\(name)")
            #expect(tags["XMP:RequestID"]?.stringValue == Self.parameters.requestID, "\(name)")
            #expect(tags["XMP:Parameters"]?.stringValue == Self.parameters.parametersText, "\(name)")
            if ext == "png" {
                #expect(tags["PNG:Parameters"]?.stringValue == Self.parameters.parametersText, "\(name): the A1111 text chunk")
            }
            #expect(tags["ExifTool:Warning"] == nil, "\(name): \(tags["ExifTool:Warning"]?.stringValue ?? "")")
        }
    }

    @Test("the A1111 text: prompt, negative prompt, then the settings; values with commas are quoted")
    func parametersText() {
        #expect(
            Self.parameters.parametersText == """
                a portrait of an astronaut, "golden" light & <soft> shadows — été
                Negative prompt: blurry, low quality
                Steps: 20, Seed: 42424242, Size: 896x1152, Model: flux-pulid, Request ID: c8a5b7e2-1f3d-4a6b-9e0c-2d7f4b8a1c3e, Version: facedrop 0.1.0 (abc123)
                """
        )
        let bare = GenerationParameters(model: "instantid", requestID: "r", software: "facedrop 1.0, test")
        #expect(bare.parametersText == #"Model: instantid, Request ID: r, Version: "facedrop 1.0, test""#)
    }

    @Test("a packet too large for a JPEG segment is refused, and the picture left alone")
    func jpegLimit() throws {
        var huge = Self.parameters
        huge.prompt = String(repeating: "x", count: 70_000)
        let jpeg = try SyntheticImage.render(width: 16, height: 16, format: .jpeg, trace: Self.trace)
        #expect(throws: ImageMetadataError.self) { try ImageMetadataWriter.embedding(huge, in: jpeg) }
        // PNG and WebP chunks hold it.
        let png = try SyntheticImage.render(width: 16, height: 16, format: .png, trace: Self.trace)
        #expect(try ImageVerifier.verify(try ImageMetadataWriter.embedding(huge, in: png)).width == 16)
    }

    @Test("bytes that are no picture are refused")
    func notAPicture() {
        #expect(throws: ImageMetadataError.unreadable(.empty)) { try ImageMetadataWriter.embedding(Self.parameters, in: []) }
        #expect(throws: ImageMetadataError.self) { try ImageMetadataWriter.embedding(Self.parameters, in: Array("GIF89a".utf8)) }
    }

    @Test("control characters XML cannot hold are left out of the packet; exiftool still parses it")
    func controlCharacters() throws {
        var odd = Self.parameters
        odd.prompt = "bell\u{07} and nul\u{00} end"
        let folder = try TemporaryDirectory(prefix: "facedrop-xmp")
        let path = folder.appending("odd.png")
        let png = try SyntheticImage.render(width: 16, height: 16, format: .png, trace: Self.trace)
        try Data(try ImageMetadataWriter.embedding(odd, in: png)).write(to: URL(fileURLWithPath: path))
        #expect(try ExifTool.tags(of: path)["XMP:Description"]?.stringValue == "bell and nul end")
    }

    // MARK: Helpers

    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard !needle.isEmpty, haystack.count >= needle.count else { return 0 }
        var count = 0
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) {
                count += 1
                index += needle.count
            } else {
                index += 1
            }
        }
        return count
    }
}
