import CurlHTTP
import FacedropTestSupport
import Foundation
import Hashing
import ImageFormats
import JobPipeline
import Outbox
import SegmindAPI
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// One drop, set up in a temporary inbox, run against an in-process emulator.
struct Drop {
    let folder = try! TemporaryDirectory(prefix: "facedrop-job")
    var inbox: String { folder.appending("inbox") }
    var outbox: String { folder.appending("outbox") }

    init() {
        try! FileManager.default.createDirectory(atPath: folder.appending("inbox"), withIntermediateDirectories: true)
    }

    /// Places a face (a copy of a fixture), an optional sidecar and an optional pose in the inbox.
    func place(name: String, face: String = Fixtures.faceJPEG, sidecar: String?, pose: String? = nil) throws -> JobInput {
        let faceExtension = (face as NSString).pathExtension
        let facePath = "\(inbox)/\(name).\(faceExtension)"
        try FileManager.default.copyItem(atPath: Fixtures.url(face).path, toPath: facePath)
        var sidecarPath: String?
        if let sidecar {
            sidecarPath = "\(inbox)/\(name).json"
            try Data(sidecar.utf8).write(to: URL(fileURLWithPath: sidecarPath!))
        }
        var posePath: String?
        if let pose {
            posePath = "\(inbox)/\(name).pose.jpg"
            try FileManager.default.copyItem(atPath: Fixtures.url(pose).path, toPath: posePath!)
        }
        return JobInput(name: name, inbox: "test", facePath: facePath, sidecarPath: sidecarPath, posePath: posePath)
    }

    func runner(_ url: URL, key: String = "emulator-key") throws -> JobRunner {
        let configuration = SegmindConfiguration(
            baseURL: url.absoluteString,
            storageURL: url.absoluteString,
            apiKey: APIKey(key),
            readRetry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100)),
            submitRetry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100)),
            // Generous: no test here waits for a timeout, and the quick tier's synchronous tests can hold the
            // cooperative pool's threads for seconds, keeping the in-process emulator from answering.
            requestTimeout: .seconds(30)
        )
        return JobRunner(
            client: SegmindClient(configuration: configuration, http: try CurlHTTP.HTTPClient()),
            catalog: try ModelCatalog.bundled(),
            outbox: OutboxFolders(root: outbox)
        )
    }

    static let settings = JobSettings(deadline: .seconds(30), runTimeScale: 0.01)
}

func readJSON(_ path: String) throws -> JSONValue {
    try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
}

@Suite("A job from drop to outbox, against the emulator")
struct JobPipelineTests {
    static let sidecars: [(model: String, sidecar: String, pose: Bool)] = [
        ("pulid-base", #"{"model":"pulid-base","prompt":"a portrait","number_of_images":2,"output_format":"webp","width":512,"height":512}"#, false),
        ("flux-pulid", #"{"model":"flux-pulid","prompt":"portrait, neon","width":512,"height":640,"output_format":"png"}"#, false),
        ("consistent-character-with-pose", #"{"model":"consistent-character-with-pose","prompt":"standing","custom_width":512,"custom_height":512}"#, true),
        ("pulid-lightning", #"{"model":"pulid-lightning","prompt":"a person","output_format":"jpg","width":256,"height":256}"#, false),
        ("instantid", #"{"model":"instantid","prompt":"photo of a woman","samples":1}"#, true),
    ]

    @Test("each of the five models ends in done/ with real images traced to the input face", arguments: 0..<5)
    func everyModel(index: Int) async throws {
        let (model, sidecar, pose) = Self.sidecars[index]
        try await withEmulator { server, url in
            let drop = Drop()
            let input = try drop.place(name: "job-\(index)", sidecar: sidecar, pose: pose ? Fixtures.poseJPEG : nil)
            let report = try await drop.runner(url).run(input, settings: Drop.settings)
            #expect(report.outcome == .done, "\(report)")
            let folder = try #require(report.folder)
            #expect(folder == "\(drop.outbox)/done/job-\(index)")
            let result = try readJSON("\(folder)/result.json")
            #expect(result["model"]?.stringValue == model)
            let requestID = try #require(result["request_id"]?.stringValue)
            #expect(requestID == report.requestID)
            let faceHash = SHA256.hash(try Fixtures.bytes(Fixtures.faceJPEG)).hex
            let outputs = try #require(result["outputs"]?.arrayValue)
            #expect(!outputs.isEmpty)
            for (offset, output) in outputs.enumerated() {
                let file = try #require(output["file"]?.stringValue)
                #expect(file.hasPrefix("job-\(index)-\(offset + 1)."))
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(file)")))
                let info = try ImageVerifier.verify(bytes)
                #expect(output["content_type"]?.stringValue == info.format.contentType)
                #expect(output["sha256"]?.stringValue == SHA256.hash(bytes).hex)
                let trace = try #require(ImageTrace.read(from: bytes))
                #expect(trace.requestID == requestID)
                // The generation parameters are in the picture, as the daemon writes them.
                #expect(output["metadata"]?.stringValue == "embedded")
                #expect(output["segmind_sha256"]?.stringValue != output["sha256"]?.stringValue)
                #expect(try ExifTool.tags(of: "\(folder)/\(file)")["XMP:RequestID"]?.stringValue == requestID)
                #expect(trace.faceSHA256 == faceHash)
                #expect(trace.model == model)
                #expect(trace.index == offset)
                if pose {
                    #expect(trace.poseSHA256 == SHA256.hash(try Fixtures.bytes(Fixtures.poseJPEG)).hex)
                }
            }
            if model == "pulid-base" { #expect(outputs.count == 2) }
            // The record never holds image bytes, only their identity.
            let spec = try #require(try ModelCatalog.bundled().model(model))
            #expect(result["parameters"]?[spec.faceField]?["sha256"]?.stringValue == faceHash)
            #expect(FileManager.default.fileExists(atPath: "\(folder)/input/job-\(index).jpg"))
            #expect(FileManager.default.fileExists(atPath: "\(folder)/input/job-\(index).json"))
            let ledger = await server.ledger()
            #expect(ledger.submits == 1)
            #expect(ledger.billedSubmits == 1)
        }
    }

    @Test("a bad sidecar fails before any submit, with every problem listed and the inputs kept")
    func badSidecar() async throws {
        try await withEmulator { server, url in
            let drop = Drop()
            let sidecar = #"{"model":"flux-pulid","width":99999,"num_steps":"many","main_face_image":"x"}"#
            let report = try await drop.runner(url).run(try drop.place(name: "bad", sidecar: sidecar), settings: Drop.settings)
            #expect(report.outcome == .failed)
            #expect(report.errorCode == "invalid_sidecar")
            let folder = try #require(report.folder)
            #expect(folder == "\(drop.outbox)/failed/bad")
            let error = try readJSON("\(folder)/error.json")
            #expect(error["stage"]?.stringValue == "validate")
            let problems = try #require(error["problems"]?.arrayValue)
            #expect(problems.count >= 4)  // prompt missing, width out of range, num_steps type, face field set
            #expect(FileManager.default.fileExists(atPath: "\(folder)/input/bad.jpg"))
            #expect(FileManager.default.fileExists(atPath: "\(folder)/input/bad.json"))
            #expect(await server.ledger().submits == 0)
        }
    }

    @Test("bytes that are not an image fail as invalid input, and nothing is sent")
    func notAnImage() async throws {
        try await withEmulator { server, url in
            let drop = Drop()
            let path = "\(drop.inbox)/fake.jpg"
            try Data("<html>not a photo</html>".utf8).write(to: URL(fileURLWithPath: path))
            let input = JobInput(name: "fake", inbox: "test", facePath: path, sidecarPath: nil)
            let report = try await drop.runner(url).run(input, settings: JobSettings(defaultModel: "pulid-base"))
            #expect(report.errorCode == "invalid_input")
            #expect(await server.ledger().submits == 0)
        }
    }

    @Test("a FAILED generation lands in failed/ with Segmind's message and the request id")
    func generationFailed() async throws {
        try await withEmulator { server, url in
            let drop = Drop()
            let sidecar = #"{"model":"instantid","prompt":"emulator:fail please"}"#
            let report = try await drop.runner(url).run(try drop.place(name: "blocked", sidecar: sidecar), settings: Drop.settings)
            #expect(report.errorCode == "failed")
            let error = try readJSON("\(try #require(report.folder))/error.json")
            #expect(error["stage"]?.stringValue == "poll")
            #expect(error["http_status"]?.intValue == 422)
            #expect(error["request_id"]?.stringValue == report.requestID)
            #expect(error["segmind_message"]?.stringValue?.isEmpty == false)
            #expect(error["hint"]?.stringValue?.isEmpty == false)
        }
    }

    @Test(
        "a connection dropped after a billed submit is outcome_unknown: one submit, never repeated",
        arguments: [false, true]
    )
    func outcomeUnknown(reusedConnection: Bool) async throws {
        try await withEmulator { server, url in
            let drop = Drop()
            let runner = try drop.runner(url)
            if reusedConnection {
                // A kept-alive connection that dies under a POST must not be retried by libcurl on a fresh one.
                _ = try await runner.client.credits()
            }
            await server.inject(EmulatorFault(endpoint: .submit, kind: .dropConnectionAfterBilling))
            let sidecar = #"{"model":"flux-pulid","prompt":"a portrait"}"#
            let report = await runner.run(try drop.place(name: "lost", sidecar: sidecar), settings: Drop.settings)
            #expect(report.errorCode == "outcome_unknown")
            let error = try readJSON("\(try #require(report.folder))/error.json")
            #expect(error["stage"]?.stringValue == "submit")
            #expect(error["hint"]?.stringValue?.contains("request history") == true)
            let ledger = await server.ledger()
            #expect(ledger.submits == 1)
            #expect(ledger.billedSubmits == 1)
        }
    }

    @Test("5xx answers to submit are retried (nothing was billed) and the job completes")
    func submitRetriedOn503() async throws {
        try await withEmulator { server, url in
            await server.inject(EmulatorFault(endpoint: .submit, kind: .status(503), count: 2))
            let drop = Drop()
            let report = try await drop.runner(url).run(
                try drop.place(name: "retry", sidecar: #"{"model":"flux-pulid","prompt":"a portrait"}"#),
                settings: Drop.settings
            )
            #expect(report.outcome == .done)
            let ledger = await server.ledger()
            #expect(ledger.submits == 3)
            #expect(ledger.billedSubmits == 1)
        }
    }

    @Test("polls ride out 5xx, truncated and malformed answers")
    func pollFaults() async throws {
        try await withEmulator { server, url in
            await server.inject(EmulatorFault(endpoint: .status, kind: .status(502)))
            await server.inject(EmulatorFault(endpoint: .status, kind: .truncatedBody))
            await server.inject(EmulatorFault(endpoint: .result, kind: .malformedBody))
            let drop = Drop()
            let report = try await drop.runner(url).run(
                try drop.place(name: "bumpy", sidecar: #"{"model":"flux-pulid","prompt":"a portrait"}"#),
                settings: Drop.settings
            )
            #expect(report.outcome == .done, "\(report)")
            #expect(await server.ledger().billedSubmits == 1)
        }
    }

    @Test("not enough credits fails the job without billing")
    func noCredits() async throws {
        try await withEmulator { server, url in
            await server.setCredits(0.001, free: 0)
            let drop = Drop()
            let report = try await drop.runner(url).run(
                try drop.place(name: "poor", sidecar: #"{"model":"flux-pulid","prompt":"a portrait"}"#),
                settings: Drop.settings
            )
            #expect(report.errorCode == "insufficient_credits")
            #expect(await server.ledger().billedSubmits == 0)
        }
    }

    @Test("a wrong key fails as unauthorized")
    func wrongKey() async throws {
        try await withEmulator { _, url in
            let drop = Drop()
            let report = try await drop.runner(url, key: "wrong-key").run(
                try drop.place(name: "nokey", sidecar: #"{"model":"flux-pulid","prompt":"a portrait"}"#),
                settings: Drop.settings
            )
            #expect(report.errorCode == "unauthorized")
        }
    }

    @Test("a second job of the same name gets _2")
    func nameCollision() async throws {
        try await withEmulator { _, url in
            let drop = Drop()
            let runner = try drop.runner(url)
            let sidecar = #"{"model":"pulid-lightning","prompt":"a person"}"#
            let first = await runner.run(try drop.place(name: "twin", sidecar: sidecar), settings: Drop.settings)
            try FileManager.default.removeItem(atPath: "\(drop.inbox)/twin.jpg")
            try FileManager.default.removeItem(atPath: "\(drop.inbox)/twin.json")
            let second = await runner.run(try drop.place(name: "twin", sidecar: sidecar), settings: Drop.settings)
            #expect(first.folder == "\(drop.outbox)/done/twin")
            #expect(second.folder == "\(drop.outbox)/done/twin_2")
            let staged = try FileManager.default.contentsOfDirectory(atPath: "\(drop.outbox)/.facedrop-staging")
            #expect(staged.isEmpty)
        }
    }
}
