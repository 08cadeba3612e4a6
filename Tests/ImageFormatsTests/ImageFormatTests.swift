import FacedropTestSupport
import ImageFormats
import Testing

@Suite("Image formats")
struct ImageFormatTests {
    @Test("Names, extensions and content types")
    func namesAndTypes() {
        #expect(ImageFormat.jpeg.contentType == "image/jpeg")
        #expect(ImageFormat.png.contentType == "image/png")
        #expect(ImageFormat.webp.contentType == "image/webp")
        #expect(ImageFormat.allCases.map(\.fileExtension) == ["jpg", "png", "webp"])
        for format in ImageFormat.allCases {
            #expect(ImageFormat(contentType: format.contentType) == format)
            #expect(ImageFormat(fileExtension: format.fileExtension) == format)
        }
    }

    @Test(
        "File extensions are matched without case",
        arguments: [
            ("jpg", ImageFormat.jpeg), ("JPEG", .jpeg), ("Jpg", .jpeg), ("png", .png), ("PNG", .png), ("WebP", .webp),
        ]
    )
    func fileExtensions(name: String, expected: ImageFormat) {
        #expect(ImageFormat(fileExtension: name) == expected)
    }

    @Test("Unknown extensions, types and output formats are rejected")
    func rejections() {
        for name in ["", "gif", ".jpg", "tiff", "jpgx", "json"] {
            #expect(ImageFormat(fileExtension: name) == nil, "\(name)")
        }
        #expect(ImageFormat(contentType: "text/html; charset=utf-8") == nil)
        #expect(ImageFormat(contentType: "application/octet-stream") == nil)
        #expect(ImageFormat(outputFormatName: "bmp") == nil)
    }

    @Test("Content types tolerate parameters and case")
    func contentTypeParameters() {
        #expect(ImageFormat(contentType: "Image/PNG") == .png)
        #expect(ImageFormat(contentType: "image/jpeg; q=1") == .jpeg)
        #expect(ImageFormat(contentType: "image/jpg") == .jpeg)
    }

    @Test(
        "Segmind output_format values",
        arguments: [
            ("jpg", ImageFormat.jpeg), ("jpeg", .jpeg), ("png", .png), ("webp", .webp),
        ]
    )
    func outputFormatNames(name: String, expected: ImageFormat) {
        #expect(ImageFormat(outputFormatName: name) == expected)
    }

    @Test("Codable uses the raw values")
    func codable() {
        #expect(ImageFormat(rawValue: "webp") == .webp)
        #expect(ImageFormat.jpeg.rawValue == "jpeg")
    }

    @Test(
        "Sniffing the fixture photos",
        arguments: [
            (Fixtures.faceJPEG, ImageFormat.jpeg), (Fixtures.facePNG, .png), (Fixtures.faceWebP, .webp),
            (Fixtures.smallFaceJPEG, .jpeg),
        ]
    )
    func sniffFixtures(name: String, expected: ImageFormat) throws {
        let bytes = try Fixtures.bytes(name)
        #expect(ImageFormat.sniff(bytes) == expected)
        #expect(ImageFormat.sniff(bytes.prefix(16)) == expected)
    }

    @Test("Sniffing needs the real magic bytes")
    func sniffRejects() {
        #expect(ImageFormat.sniff([UInt8]()) == nil)
        #expect(ImageFormat.sniff([0xFF, 0xD8]) == nil)
        #expect(ImageFormat.sniff(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8)) == nil)
        #expect(ImageFormat.sniff(Array("<!DOCTYPE html><html>".utf8)) == nil)
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A]) == nil)
    }
}
