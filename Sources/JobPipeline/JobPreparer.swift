import FileSystem
import Foundation
import Hashing
import ImageFormats
import Outbox
package import SegmindCatalog
import StrictJSON

/// Reads a job's files once, with size caps, checks them, and builds the request to send.
///
/// The bytes read here are the ones validated and sent: a file changed afterwards cannot slip through
/// unchecked. Every input read is handed to `keep` first, so a failed job still lands with its inputs.
/// Inputs are read as dropped files (``InputFile/readDropped(_:maxBytes:)``): regular files with a single
/// name only (unless ``JobSettings/refusesHardLinks`` is off), their size capped before a byte is read.
package struct JobPreparer: Sendable {
    package let catalog: ModelCatalog

    package init(catalog: ModelCatalog) {
        self.catalog = catalog
    }

    /// Builds the request of `input`, or fails with the `error.json` content (stage `validate`).
    package func prepare(
        _ input: JobInput,
        settings: JobSettings,
        keep: (_ bytes: [UInt8], _ name: String) throws(JobFailure) -> Void = { _, _ throws(JobFailure) in }
    ) throws(JobFailure) -> PreparedRequest {
        let face = try takeImage(input.facePath, role: "face", input: input, settings: settings, keep: keep)
        var sidecar: [String: JSONValue] = [:]
        if let sidecarPath = input.sidecarPath {
            let bytes: [UInt8]
            do {
                bytes = try Self.read(sidecarPath, maxBytes: settings.maxSidecarBytes, settings: settings)
            } catch {
                throw .invalidInput(
                    "the sidecar cannot be taken: \(Self.describe(error, path: sidecarPath, input: input))",
                    hint: "Drop a regular JSON file next to the image."
                )
            }
            try keep(bytes, PathNames.last(sidecarPath))
            sidecar = try Self.parseSidecar(bytes)
        }
        let validated: ValidatedSidecar
        switch SidecarValidator(catalog: catalog).validateSidecar(
            sidecar,
            inboxDefaults: settings.defaults,
            defaultModel: settings.defaultModel,
            hasPoseImage: input.posePath != nil
        ) {
        case .success(let value): validated = value
        case .failure(let rejection): throw .invalidSidecar(rejection)
        }
        var pose: (bytes: [UInt8], format: ImageFormat)?
        if let posePath = input.posePath ?? validated.poseImageName.map({ "\(PathNames.parent(input.facePath))/\($0)" }) {
            pose = try takeImage(posePath, role: "pose", input: input, settings: settings, keep: keep)
        }
        let body = validated.requestBody(
            faceImage: Data(face.bytes).base64EncodedString(),
            poseImage: pose.map { Data($0.bytes).base64EncodedString() }
        )
        var parameters = body
        parameters[validated.model.faceField] = Self.describe(face.bytes, face.format)
        if let pose, let poseField = validated.model.poseField {
            parameters[poseField] = Self.describe(pose.bytes, pose.format)
        }
        return PreparedRequest(
            model: validated.model.slug,
            body: body,
            parameters: parameters,
            warnings: validated.warnings.map(\.description),
            expectedRunSeconds: validated.model.expectedRunSeconds
        )
    }

    static func parseSidecar(_ bytes: [UInt8]) throws(JobFailure) -> [String: JSONValue] {
        let parsed: JSONValue
        do {
            parsed = try JSONParser().parse(bytes)
        } catch {
            throw JobFailure(
                stage: .validate,
                code: "invalid_sidecar",
                message: "the sidecar is not valid JSON: \(error)",
                hint: "Fix the JSON syntax and drop the job again."
            )
        }
        guard let object = parsed.objectValue else {
            throw JobFailure(
                stage: .validate,
                code: "invalid_sidecar",
                message: "the sidecar is not a JSON object",
                hint: "Write the sidecar as one JSON object, e.g. {\"model\": \"flux-pulid\", \"prompt\": \"…\"}."
            )
        }
        return object
    }

    /// A dropped image: its bytes, checked to be a whole JPEG, PNG or WebP.
    private func takeImage(
        _ path: String,
        role: String,
        input: JobInput,
        settings: JobSettings,
        keep: (_ bytes: [UInt8], _ name: String) throws(JobFailure) -> Void
    ) throws(JobFailure) -> (bytes: [UInt8], format: ImageFormat) {
        let name = Self.droppedName(path, input: input)
        let bytes: [UInt8]
        do {
            bytes = try Self.read(path, maxBytes: settings.maxImageBytes, settings: settings)
        } catch {
            throw .invalidInput(
                "the \(role) image cannot be taken: \(Self.describe(error, path: path, input: input))",
                hint: "Drop a regular JPEG, PNG or WebP file, copied (not linked) into the inbox."
            )
        }
        try keep(bytes, PathNames.last(path))
        guard let format = ImageFormat.sniff(bytes.prefix(16)) else {
            throw .invalidInput(
                "the \(role) image \(name) is not JPEG, PNG or WebP",
                hint: "Drop a JPEG, PNG or WebP image; the name's extension is not enough."
            )
        }
        let info: ImageInfo
        do {
            info = try ImageInfo.inspect(bytes)
        } catch {
            throw .invalidInput("the \(role) image \(name) is damaged: \(error)", hint: "Export the image again and drop it anew.")
        }
        guard info.pixelCount <= settings.maxImagePixels else {
            let refusal = ImageInspectionError.tooManyPixels(info.format, width: info.width, height: info.height, limit: settings.maxImagePixels)
            throw .invalidInput("the \(role) image \(name) is too large: \(refusal)", hint: "Scale the image down and drop it again.")
        }
        do {
            try ImageInfo.checkComplete(bytes)
        } catch .truncated(let format) {
            throw .invalidInput(
                "the \(role) image \(name) is cut short: its \(format.name) data ends before the image does (\(bytes.count) bytes), as when a file is taken while it is still being written",
                hint:
                    "Nothing was sent to Segmind. Write the file under a temporary name (or a dot-name) and rename it into place when it is complete, or raise the inbox's settle time for slow writers; then drop it again."
            )
        } catch {
            throw .invalidInput("the \(role) image \(name) is damaged: \(error)", hint: "Export the image again and drop it anew.")
        }
        return (bytes, format)
    }

    /// The name a file was dropped under, relative to its inbox (`portraits/x.jpg`): what the user knows it
    /// by, rather than where facedrop moved it when it claimed the job.
    static func droppedName(_ path: String, input: JobInput) -> String {
        let name = PathNames.last(path)
        return input.subpath.isEmpty ? name : "\(input.subpath)/\(name)"
    }

    /// An input error's description with the claimed path replaced by the name the file was dropped under.
    static func describe(_ error: InputFileError, path: String, input: JobInput) -> String {
        error.description.replacingOccurrences(of: path, with: droppedName(path, input: input))
    }

    private static func read(_ path: String, maxBytes: Int, settings: JobSettings) throws(InputFileError) -> [UInt8] {
        settings.refusesHardLinks
            ? try InputFile.readDropped(path, maxBytes: maxBytes) : try InputFile.read(path, maxBytes: maxBytes)
    }

    /// An image as it appears in a record: never the bytes, only what identifies them.
    static func describe(_ bytes: [UInt8], _ format: ImageFormat) -> JSONValue {
        ["sha256": .string(SHA256.hash(bytes).hex), "bytes": .integer(Int64(bytes.count)), "content_type": .string(format.contentType)]
    }
}
