import FacedropTestSupport
import Foundation
import Hashing
import ImageFormats
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

@Suite("Emulator outputs, credits and uploads")
struct EmulatorOutputTests {
    let face = try! Fixtures.bytes(Fixtures.faceJPEG)
    let pose = try! Fixtures.bytes(Fixtures.poseJPEG)

    @Test("outputs are real images of the requested format, size and count, traced to the request and its inputs")
    func tracedOutputs() async throws {
        try await withEmulator { _, base in
            let http = EmulatorHTTP(base: base)
            let body: JSONValue = .object([
                "face_image": .string(Data(face).base64EncodedString()),
                "output_format": "jpg", "number_of_images": 2, "width": 1536, "height": 768,
            ])
            let id = try #require(try await http.submit("pulid-base", body).json?["request_id"]?.stringValue)
            let result = try await http.waitForResult(id)
            let images = try #require(result.json?["images"]?.arrayValue)
            #expect(images.count == 2)
            #expect(result.json?["output"]?.arrayValue?.count == 2)
            for (index, image) in images.enumerated() {
                #expect(image["content_type"] == "image/jpeg")
                let url = try #require(image["url"]?.stringValue)
                let file = try await EmulatorHTTP(base: base, key: nil).get(url)
                #expect(file.status == 200)
                #expect(image["file_size"]?.intValue == file.body.count)
                let info = try ImageInfo.inspect(file.body)
                #expect(info.format == .jpeg && info.width == 1024 && info.height == 512)
                let trace = try #require(ImageTrace.read(from: file.body))
                #expect(trace.requestID == id && trace.index == index && trace.model == "pulid-base")
                #expect(trace.faceSHA256 == SHA256.hash(face).hex)
                #expect(trace.poseSHA256 == nil)
            }
        }
    }

    @Test("a model without size parameters renders 512×512 in its default format, with the pose traced")
    func defaults() async throws {
        try await withEmulator { _, base in
            let http = EmulatorHTTP(base: base)
            let poseURI = "data:image/jpeg;base64," + Data(pose).base64EncodedString()
            let body: JSONValue = .object([
                "face_image": .string(Data(face).base64EncodedString()), "pose_image": .string(poseURI), "prompt": "x",
            ])
            let id = try #require(try await http.submit("instantid", body).json?["request_id"]?.stringValue)
            let result = try await http.waitForResult(id)
            let url = try #require(result.json?["output"]?.stringValue)
            let file = try await http.get(url)
            let info = try ImageInfo.inspect(file.body)
            #expect(info.format == .png && info.width == 512 && info.height == 512)
            #expect(ImageTrace.read(from: file.body)?.poseSHA256 == SHA256.hash(pose).hex)
        }
    }

    @Test("credits are deducted and reported in the header, the metrics and get-user-credits")
    func credits() async throws {
        try await withEmulator(EmulatorConfiguration(credits: 1, freeCredits: 0.01, timeScale: 0.01)) { server, base in
            let http = EmulatorHTTP(base: base)
            let submitted = try await http.submit("flux-pulid", .fluxBody(face: face))
            #expect(submitted.header("x-remaining-credits") == "0.974")
            let id = try #require(submitted.json?["request_id"]?.stringValue)
            let metrics = try #require(try await http.waitForResult(id).json?["metrics"])
            #expect(metrics["cost"]?.doubleValue == 0.036)
            #expect(metrics["remaining_credits"]?.doubleValue == 0.974)
            let balance = try await http.get("/v1/get-user-credits")
            #expect(balance.json == .object(["credits": .number(0.974), "free-credits": .number(0)]))
            #expect(await server.ledger().totalBilled == 0.036)
        }
    }

    @Test("an uploaded asset is served back and, used as the face, traced by its bytes")
    func uploadedAsset() async throws {
        for shape in EmulatorConfiguration.UploadResponseShape.allCases {
            var configuration = EmulatorConfiguration(timeScale: 0.01)
            configuration.uploadResponseShape = shape
            try await withEmulator(configuration) { _, base in
                let http = EmulatorHTTP(base: base)
                let dataURL = "data:image/jpeg;base64," + Data(face).base64EncodedString()
                let upload = try await http.send(
                    "POST",
                    "/upload-asset",
                    body: JSONValue.object(["data_urls": [.string(dataURL)]]).serialized(),
                    contentType: "application/json"
                )
                #expect(upload.status == 200)
                let urls = upload.json?[shape.rawValue]?.arrayValue
                let url = try #require(urls?.first?.stringValue)
                #expect(url.hasPrefix("\(base.absoluteString)/assets/") && url.hasSuffix(".jpg"))
                #expect(try await EmulatorHTTP(base: base, key: nil).get(url).body == face)

                let body: JSONValue = .object(["main_face_image": .string(url), "prompt": "stored"])
                let id = try #require(try await http.submit("flux-pulid", body).json?["request_id"]?.stringValue)
                let output = try #require(try await http.waitForResult(id).json?["output"]?.stringValue)
                let trace = ImageTrace.read(from: try await http.get(output).body)
                #expect(trace?.faceSHA256 == SHA256.hash(face).hex)
            }
        }
    }
}
