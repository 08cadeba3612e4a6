import FacedropTestSupport
import Foundation
import Hashing
import ImageFormats
import StrictJSON
import Testing

/// The generation parameters travel with each picture: written into it, or into an `.xmp` file beside it.
extension DaemonEndToEndTests {
    static func metadataSidecar(format: String) -> String {
        #"{"model":"flux-pulid","prompt":"an astronaut, \"soft\" light & <shadows>","negative_prompt":"blurry","#
            + #""seed":987654,"num_steps":12,"width":320,"height":256,"output_format":"\#(format)"}"#
    }

    @Test("each output carries its prompt, seed, model and request ID, readable by exiftool; result.json has both hashes")
    func outputsCarryTheirParameters() async throws {
        try await withDaemon { _, daemon in
            for format in ["png", "jpg", "webp"] {
                try daemon.dropJob("tagged-\(format)", sidecar: Self.metadataSidecar(format: format))
            }
            try await daemon.waitFor("three jobs to end") { daemon.jobs(.done).count + daemon.jobs(.failed).count == 3 }
            #expect(daemon.jobs(.failed).isEmpty)
            var formats: Set<ImageFormat> = []
            for job in daemon.jobs(.done) {
                let record = try daemon.record(.done, job)
                let requestID = try #require(record["request_id"]?.stringValue)
                for output in record["outputs"]?.arrayValue ?? [] {
                    let file = try #require(output["file"]?.stringValue)
                    let path = "\(daemon.jobFolder(.done, job))/\(file)"
                    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                    #expect(output["metadata"]?.stringValue == "embedded", "\(job)/\(file)")
                    #expect(output["sha256"]?.stringValue == SHA256.hash(bytes).hex, "\(job)/\(file): the delivered file's hash")
                    let segmind = try #require(output["segmind_sha256"]?.stringValue)
                    #expect(segmind != output["sha256"]?.stringValue, "\(job)/\(file): the bytes changed, so the hashes differ")
                    #expect(ImageTrace.read(from: bytes)?.requestID == requestID, "\(job)/\(file): Segmind's own metadata is kept")
                    #expect(!FileManager.default.fileExists(atPath: path + ".xmp"))
                    let tags = try ExifTool.tags(of: path)
                    #expect(tags["XMP:Prompt"]?.stringValue == #"an astronaut, "soft" light & <shadows>"#, "\(job)/\(file)")
                    #expect(tags["XMP:NegativePrompt"]?.stringValue == "blurry")
                    #expect(tags["XMP:Seed"]?.intValue == 987_654)
                    #expect(tags["XMP:Steps"]?.intValue == 12)
                    #expect(tags["XMP:Model"]?.stringValue == "flux-pulid")
                    #expect(tags["XMP:RequestID"]?.stringValue == requestID)
                    #expect(tags["XMP:CreatorTool"]?.stringValue?.hasPrefix("facedrop ") == true)
                    let info = try ImageVerifier.verify(bytes)
                    formats.insert(info.format)
                    #expect(tags["XMP:Width"]?.intValue == info.width && tags["XMP:Height"]?.intValue == info.height)
                    if info.format == .png {
                        #expect(tags["PNG:Parameters"]?.stringValue?.contains("Seed: 987654") == true, "the A1111 text chunk")
                    }
                }
            }
            #expect(formats == [.png, .jpeg, .webp], "each format was delivered and checked")
        }
    }

    @Test("embed_metadata = false: pictures byte for byte as Segmind sent them, the parameters in an .xmp beside each")
    func sidecarKeepsTheBytes() async throws {
        try await withDaemon(configure: { $0.inboxes[0].embedMetadata = false }) { _, daemon in
            try daemon.dropJob("untouched", sidecar: Self.metadataSidecar(format: "png"))
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            let job = try #require(daemon.jobs(.done).first)
            let record = try daemon.record(.done, job)
            for output in record["outputs"]?.arrayValue ?? [] {
                let file = try #require(output["file"]?.stringValue)
                let path = "\(daemon.jobFolder(.done, job))/\(file)"
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(output["metadata"]?.stringValue == "sidecar")
                #expect(output["xmp"]?.stringValue == "\(file).xmp")
                #expect(output["sha256"]?.stringValue == SHA256.hash(bytes).hex)
                #expect(output["segmind_sha256"]?.stringValue == output["sha256"]?.stringValue, "untouched: one hash")
                #expect(try ExifTool.tags(of: path)["XMP:Prompt"] == nil, "nothing written into the picture")
                let tags = try ExifTool.tags(of: path + ".xmp")
                #expect(tags["XMP:Seed"]?.intValue == 987_654)
                #expect(tags["XMP:RequestID"]?.stringValue == record["request_id"]?.stringValue)
            }
        }
    }
}

extension DaemonEndToEndTests {
    @Test("output_name names the pictures: a template without {n} numbers a generation of two; result.json and the files agree")
    func outputNameTemplate() async throws {
        try await withDaemon(configure: { $0.inboxes[0].outputName = "{date}_{job}_{seed}_{model}" }) { _, daemon in
            let sidecar = #"{"model":"flux-pulid","prompt":"a portrait","seed":4242,"num_outputs":2,"width":256,"height":256,"output_format":"png"}"#
            try daemon.dropJob("named", sidecar: sidecar)
            try await daemon.waitFor("the job done") { daemon.jobs(.done) == ["named"] }
            let record = try daemon.record(.done, "named")
            let day = try #require(record["timings"]?["submitted"]?.stringValue?.prefix(10))
            let files = (record["outputs"]?.arrayValue ?? []).compactMap { $0["file"]?.stringValue }
            #expect(files == ["\(day)_named_4242_flux-pulid-1.png", "\(day)_named_4242_flux-pulid-2.png"])
            for file in files {
                #expect(FileManager.default.fileExists(atPath: "\(daemon.jobFolder(.done, "named"))/\(file)"), "\(file)")
            }
        }
    }
}
