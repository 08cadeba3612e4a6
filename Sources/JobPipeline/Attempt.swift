import Foundation
import CurlHTTP
import Hashing
import ImageFormats
import Outbox
import SegmindAPI
import SegmindCatalog
import Synchronization

/// The state of one run of one job, gathered as it goes so either record can be written at any point.
struct Attempt {
    let input: JobInput
    let settings: JobSettings
    let staging: String

    var model: String?
    var sentParameters: [String: JSONValue] = [:]
    var warnings: [String] = []
    var requestID: String?
    var submittedAt: Date?
    var completedAt: Date?
    var polls = 0
    var metrics = GenerationMetrics()
    var remainingCredits: Double?
    var outputs: [JSONValue] = []

    init(input: JobInput, settings: JobSettings, staging: String) {
        self.input = input
        self.settings = settings
        self.staging = staging
    }

    /// A dropped image: its bytes, checked to be JPEG, PNG or WebP, and copied into `input/`.
    private func takeImage(_ path: String, role: String) throws(JobFailure) -> (bytes: [UInt8], format: ImageFormat) {
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(path, maxBytes: settings.maxImageBytes)
        } catch {
            throw .invalidInput("the \(role) image cannot be taken: \(error)", hint: "Drop a regular JPEG, PNG or WebP file.")
        }
        try keepInput(bytes, named: (path as NSString).lastPathComponent)
        guard let format = ImageFormat.sniff(bytes.prefix(16)) else {
            throw .invalidInput("the \(role) image is not JPEG, PNG or WebP", hint: "Drop a JPEG, PNG or WebP image; the name's extension is not enough.")
        }
        do {
            _ = try ImageInfo.inspect(bytes)
        } catch {
            throw .invalidInput("the \(role) image is damaged: \(error)", hint: "Export the image again and drop it anew.")
        }
        return (bytes, format)
    }

    private func keepInput(_ bytes: [UInt8], named name: String) throws(JobFailure) {
        do {
            try AtomicFile.write(bytes, to: "\(staging)/input/\(name)")
        } catch {
            throw JobFailure(stage: .write, code: "outbox_unwritable", message: "\(error)", hint: "Check the outbox's permissions and free space.")
        }
    }

    mutating func perform(using runner: JobRunner, events: (@Sendable (JobEvent) -> Void)?) async throws(JobFailure) {
        // 1. Validate: nothing is sent before every input is read, checked and kept.
        let face = try takeImage(input.facePath, role: "face")
        var sidecar: [String: JSONValue] = [:]
        if let sidecarPath = input.sidecarPath {
            let bytes: [UInt8]
            do {
                bytes = try InputFile.read(sidecarPath, maxBytes: settings.maxSidecarBytes)
            } catch {
                throw .invalidInput("the sidecar cannot be taken: \(error)", hint: "Drop a regular JSON file next to the image.")
            }
            try keepInput(bytes, named: (sidecarPath as NSString).lastPathComponent)
            do {
                guard let object = try JSONParser().parse(bytes).objectValue else {
                    throw JobFailure(stage: .validate, code: "invalid_sidecar", message: "the sidecar is not a JSON object", hint: "Write the sidecar as one JSON object, e.g. {\"model\": \"flux-pulid\", \"prompt\": \"…\"}.")
                }
                sidecar = object
            } catch let failure as JobFailure {
                throw failure
            } catch {
                throw JobFailure(stage: .validate, code: "invalid_sidecar", message: "the sidecar is not valid JSON: \(error)", hint: "Fix the JSON syntax and drop the job again.")
            }
        }
        let validated: ValidatedSidecar
        switch SidecarValidator(catalog: runner.catalog).validateSidecar(
            sidecar,
            inboxDefaults: settings.defaults,
            defaultModel: settings.defaultModel,
            hasPoseImage: input.posePath != nil
        ) {
        case .success(let value): validated = value
        case .failure(let rejection): throw .invalidSidecar(rejection)
        }
        model = validated.model.slug
        warnings = validated.warnings.map(\.description)
        var pose: (bytes: [UInt8], format: ImageFormat)?
        let folder = (input.facePath as NSString).deletingLastPathComponent
        if let posePath = input.posePath ?? validated.poseImageName.map({ "\(folder)/\($0)" }) {
            pose = try takeImage(posePath, role: "pose")
        }
        let faceText = Data(face.bytes).base64EncodedString()
        let poseText = pose.map { Data($0.bytes).base64EncodedString() }
        let body = validated.requestBody(faceImage: faceText, poseImage: poseText)
        sentParameters = body
        sentParameters[validated.model.faceField] = Self.describe(face.bytes, face.format)
        if let pose, let poseField = validated.model.poseField {
            sentParameters[poseField] = Self.describe(pose.bytes, pose.format)
        }
        events?(.validated(model: validated.model.slug, warnings: warnings))

        // 2. Submit: the paid step.
        let client = runner.client
        let submitted: SubmittedRequest
        do {
            submitted = try await client.submit(model: validated.model.slug, body: body)
        } catch {
            throw .segmind(error, stage: .submit, requestID: nil)
        }
        requestID = submitted.requestID
        submittedAt = Date()
        remainingCredits = submitted.remainingCredits
        events?(.submitted(requestID: submitted.requestID))

        // 3. Poll, starting at about the model's usual run time.
        let expected = Duration.milliseconds(Int(validated.model.expectedRunSeconds * settings.runTimeScale * 1000))
        let pollCount = Mutex(0)
        let result: GenerationResult
        do {
            result = try await client.waitForResult(of: submitted, schedule: .expecting(expected, deadline: settings.deadline)) { status in
                let count = pollCount.withLock { count in
                    count += 1
                    return count
                }
                events?(.polled(status, polls: count))
            }
        } catch {
            polls = pollCount.withLock { $0 }
            throw .segmind(error, stage: .poll, requestID: submitted.requestID)
        }
        polls = pollCount.withLock { $0 }
        completedAt = Date()
        metrics = result.metrics
        remainingCredits = result.metrics.remainingCredits ?? remainingCredits

        // 4. Download every output, verify it is a real image, and name it in order.
        for (offset, output) in result.outputs.enumerated() {
            let index = offset + 1
            let temporary = "\(staging)/.download-\(index)"
            let download: Int
            do {
                download = try await client.download(output, to: temporary).byteCount
            } catch {
                throw .segmind(error, stage: .download, requestID: submitted.requestID)
            }
            let bytes: [UInt8]
            let info: ImageInfo
            do {
                bytes = try InputFile.read(temporary, maxBytes: client.configuration.maxOutputBytes)
                info = try ImageVerifier.verify(bytes)
            } catch {
                throw JobFailure(stage: .download, code: "invalid_output", message: "output \(index) is not a valid image: \(error)", hint: "Segmind returned something that is not an image; check the request in Segmind's history.", requestID: submitted.requestID)
            }
            let file = "\(input.name)-\(index).\(info.format.fileExtension)"
            do {
                try FileManager.default.moveItem(atPath: temporary, toPath: "\(staging)/\(file)")
            } catch {
                throw JobFailure(stage: .write, code: "outbox_unwritable", message: "\(error)", hint: "Check the outbox's permissions and free space.", requestID: submitted.requestID)
            }
            outputs.append([
                "file": .string(file),
                "url": .string(output.url),
                "sha256": .string(SHA256.hash(bytes).hex),
                "bytes": .integer(Int64(download)),
                "content_type": .string(info.format.contentType),
                "width": .integer(Int64(info.width)),
                "height": .integer(Int64(info.height)),
            ])
            events?(.downloaded(index: index, of: result.outputs.count, bytes: download))
        }
    }

    /// An image as it appears in a record: never the bytes, only what identifies them.
    static func describe(_ bytes: [UInt8], _ format: ImageFormat) -> JSONValue {
        ["sha256": .string(SHA256.hash(bytes).hex), "bytes": .integer(Int64(bytes.count)), "content_type": .string(format.contentType)]
    }

    private func time(_ date: Date?) -> JSONValue {
        date.map { .string($0.formatted(.iso8601)) } ?? .null
    }

    private var common: [String: JSONValue] {
        [
            "job": .string(input.name),
            "inbox": .string(input.inbox),
            "source": .string(input.facePath),
            "model": model.map(JSONValue.string) ?? .null,
            "request_id": requestID.map(JSONValue.string) ?? .null,
            "facedrop_version": .string(FacedropVersion.current),
        ]
    }

    func resultRecord() -> [String: JSONValue] {
        var record = common
        record["parameters"] = .object(sentParameters)
        record["outputs"] = .array(outputs)
        record["warnings"] = .array(warnings.map(JSONValue.string))
        record["timings"] = [
            "dropped": time(input.droppedAt),
            "ready": time(input.readyAt),
            "submitted": time(submittedAt),
            "completed": time(completedAt),
            "inference_time": metrics.inferenceTime.map(JSONValue.number) ?? .null,
            "polls": .integer(Int64(polls)),
        ]
        record["credits"] = [
            "remaining": remainingCredits.map(JSONValue.number) ?? .null,
            "cost": metrics.cost.map(JSONValue.number) ?? .null,
        ]
        return record
    }

    func errorRecord(_ failure: JobFailure) -> [String: JSONValue] {
        var record = common
        record["stage"] = .string(failure.stage.rawValue)
        record["code"] = .string(failure.code)
        record["message"] = .string(failure.message)
        record["hint"] = .string(failure.hint)
        record["http_status"] = failure.httpStatus.map { .integer(Int64($0)) } ?? .null
        record["segmind_message"] = failure.segmindMessage.map(JSONValue.string) ?? .null
        record["request_id"] = (failure.requestID ?? requestID).map(JSONValue.string) ?? .null
        if !failure.problems.isEmpty { record["problems"] = .array(failure.problems) }
        record["failed_at"] = time(Date())
        return record
    }
}
