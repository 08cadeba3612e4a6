import Foundation
import ImageFormats
import SegmindCatalog
import StrictJSON

extension EmulatorServer {
    /// The encoded output images of a job, rendered once and kept, so every fetch serves the same
    /// bytes and `file_size` is their real size.
    func renderedOutputs(_ id: String) async throws -> [[UInt8]] {
        guard let record = records[id] else { return [] }
        if let rendered = record.rendered { return rendered }
        let rendered = try await Self.render(record)
        // Another request may have rendered the same job meanwhile: keep the first bytes.
        if let existing = records[id]?.rendered { return existing }
        records[id]?.rendered = rendered
        return rendered
    }

    /// Encodes a job's images off the actor, so a large WebP does not hold up other requests.
    @concurrent
    private static func render(_ record: JobRecord) async throws -> [[UInt8]] {
        try record.outputs.enumerated().map { index, output in
            let trace = ImageTrace(
                requestID: record.id,
                model: record.model,
                faceSHA256: record.faceSHA256 ?? "",
                poseSHA256: record.poseSHA256,
                index: index,
                prompt: record.prompt
            )
            return try SyntheticImage.render(
                width: output.width,
                height: output.height,
                format: output.format,
                quality: output.quality,
                trace: trace
            )
        }
    }

    /// `GET /generations/<id>/<n>.<ext>`: an output image, no key needed. Served only once the
    /// job has completed, as Segmind publishes nothing before.
    func generation(_ id: String, file: String, now: Date) async -> EmulatorResponse {
        let notFound = EmulatorResponse.error(404, "Not Found")
        guard let record = records[id],
            case let phase = record.phase(at: now, timeToLive: .infinity), phase == .completed,
            let index = record.outputs.indices.first(where: { record.fileName(at: $0) == file }),
            let files = try? await renderedOutputs(id)
        else { return notFound }
        return EmulatorResponse(status: 200, body: files[index], contentType: record.outputs[index].format.contentType)
    }

    /// `GET /assets/<id>.<ext>`: an uploaded file, no key needed.
    func asset(_ file: String) -> EmulatorResponse {
        guard let asset = assets[file] else { return .error(404, "Not Found") }
        return EmulatorResponse(status: 200, body: asset.bytes, contentType: asset.contentType)
    }

    /// `POST /upload-asset {"data_urls": [...]}`: stores each data URL as an asset.
    func upload(request: EmulatorRequest) -> Outcome {
        if let refusal = authorize(request) {
            return Outcome(response: refusal)
        }
        guard case .object(let body)? = parseJSON(request.body),
            case .array(let items)? = body["data_urls"], !items.isEmpty
        else {
            return Outcome(response: .error(400, "data_urls must be a non-empty list of data URLs"))
        }
        var decoded: [Asset] = []
        for item in items {
            guard let asset = item.stringValue.flatMap(Self.decodeDataURL) else {
                return Outcome(response: .error(400, "Invalid data URL"))
            }
            decoded.append(asset)
        }
        var urls: [JSONValue] = []
        for asset in decoded {
            let name = "\(UUID().uuidString.lowercased()).\(Self.fileExtension(for: asset))"
            assets[name] = asset
            urls.append(.string("\(base)/assets/\(name)"))
        }
        let answer: JSONValue =
            switch configuration.uploadResponseShape {
            case .fileURLs: .object(["file_urls": .array(urls), "message": .string("Files uploaded successfully")])
            case .urls: .object(["urls": .array(urls)])
            }
        return Outcome(response: .json(200, answer))
    }

    /// `data:<type>;base64,<payload>` → the bytes and their content type.
    static func decodeDataURL(_ text: String) -> Asset? {
        guard text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") else { return nil }
        let header = text[text.index(text.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64"),
            let bytes = Data(base64Encoded: String(text[text.index(after: comma)...]), options: .ignoreUnknownCharacters)
        else { return nil }
        let type = header.dropLast(";base64".count)
        return Asset(bytes: [UInt8](bytes), contentType: type.isEmpty ? "application/octet-stream" : String(type))
    }

    /// The file extension an asset is served under: from its bytes when they are an image the
    /// emulator knows, else from its content type.
    static func fileExtension(for asset: Asset) -> String {
        if let format = ImageFormat.sniff(asset.bytes) { return format.fileExtension }
        let subtype = asset.contentType.split(separator: "/").last.map(String.init) ?? "bin"
        return subtype.filter { $0.isLetter || $0.isNumber }.isEmpty ? "bin" : subtype.filter { $0.isLetter || $0.isNumber }
    }
}
