import Foundation
import Hashing
import ImageFormats
import SegmindCatalog
import StrictJSON

extension EmulatorServer {
    /// `POST /v2/{slug}`: the checks in Segmind's order, then billing and a QUEUED answer.
    func submit(slug: String, request: EmulatorRequest, now: Date) -> Outcome {
        if let refusal = authorize(request) ?? admitRate(now: now) {
            return Outcome(response: refusal, model: slug)
        }
        let contentType = request.header("content-type")?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard contentType == "application/json" else {
            return Outcome(response: .error(406, "Invalid content type"), model: slug)
        }
        // Retired and forbidden slugs are answered as such even when the catalog no longer lists them.
        if configuration.retiredModels.contains(slug) {
            return Outcome(response: .error(410, "Model \(slug) has been retired and is no longer available"), model: slug)
        }
        if configuration.forbiddenModels.contains(slug) {
            return Outcome(response: .error(403, "Access to model \(slug) is not allowed for this account"), model: slug)
        }
        guard let model = catalog.model(slug) else {
            return Outcome(response: .error(404, "Model \(slug) not found"), model: slug)
        }
        guard case .object(let body)? = parseJSON(request.body) else {
            return Outcome(response: .error(400, "Request body must be a JSON object"), model: slug)
        }
        let problems = SidecarValidator(catalog: catalog).validateRequestBody(body, model: model).problems
        if !problems.isEmpty {
            let list = problems.map { "\($0)" }
            return Outcome(
                response: .json(
                    400,
                    .object([
                        "error": .string("Invalid parameters: " + list.joined(separator: "; ")),
                        "details": .array(list.map { .string($0) }),
                    ])
                ),
                model: slug
            )
        }
        let cost = model.costPerRun ?? configuration.defaultCost
        guard totalBalance >= cost else {
            let message = "Insufficient credits. Balance: \(Self.money(totalBalance)), required: \(Self.money(cost))"
            return Outcome(response: .error(406, message), model: slug)
        }

        charge(cost)
        let id = UUID().uuidString.lowercased()
        let record = makeRecord(id: id, model: model, body: body, cost: cost, now: now)
        records[id] = record
        if record.failure != nil { pendingRefunds.insert(id) }
        let forgetAt = now.addingTimeInterval(configuration.recordTimeToLive + configuration.outputRetention)
        nextForgetting = min(nextForgetting ?? forgetAt, forgetAt)
        let answer: JSONValue = .object([
            "request_id": .string(id),
            "status": .string("QUEUED"),
            "poll_url": .string("\(base)/v1/requests/\(id)"),
            "status_url": .string("\(base)/v2/requests/\(id)/status"),
            "response_url": .string("\(base)/v2/requests/\(id)"),
        ])
        return Outcome(
            response: .json(200, answer, headers: [("x-remaining-credits", Self.money(totalBalance))]),
            model: slug,
            requestID: id,
            billed: true,
            cost: cost,
            prompt: body["prompt"]?.stringValue
        )
    }

    /// Fixes the job's timeline and the shape of its outputs from the request body.
    private func makeRecord(
        id: String,
        model: ModelSpec,
        body: [String: JSONValue],
        cost: Double,
        now: Date
    ) -> JobRecord {
        let prompt = body["prompt"]?.stringValue
        let failing = prompt.map { !configuration.failToken.isEmpty && $0.contains(configuration.failToken) } ?? false
        let runSeconds =
            configuration.runSeconds[model.slug] ?? (model.expectedRunSeconds > 0 ? model.expectedRunSeconds : configuration.defaultRunSeconds)
        return JobRecord(
            id: id,
            model: model.slug,
            submittedAt: now,
            queueDuration: configuration.queueSeconds * configuration.timeScale,
            runDuration: runSeconds * configuration.timeScale,
            failure: failing ? configuration.failureMessage : nil,
            cost: cost,
            outputs: outputs(for: model, body: body),
            faceSHA256: imageDigest(body[model.faceField]),
            poseSHA256: model.poseField.flatMap { imageDigest(body[$0]) },
            prompt: prompt
        )
    }

    /// The images a job will produce: count, format, size and quality from the request or the
    /// catalog's defaults.
    private func outputs(for model: ModelSpec, body: [String: JSONValue]) -> [JobRecord.Output] {
        let count = body[model.outputCountParameter]?.intValue ?? model.defaultOutputCount
        let formatName = model.outputFormatParameter.flatMap { body[$0]?.stringValue } ?? model.defaultOutputFormat
        let format = formatName.flatMap { ImageFormat(outputFormatName: $0) } ?? .png
        var width = 512
        var height = 512
        if let widthParameter = model.widthParameter, let heightParameter = model.heightParameter {
            width = body[widthParameter]?.intValue ?? model.parameter(widthParameter)?.defaultValue?.intValue ?? 1024
            height = body[heightParameter]?.intValue ?? model.parameter(heightParameter)?.defaultValue?.intValue ?? 1024
        }
        let (clampedWidth, clampedHeight) = Self.clamp(width: width, height: height, maxSide: configuration.maxOutputSide)
        let quality = (body["output_quality"] ?? body["quality"])?.intValue ?? 90
        let output = JobRecord.Output(
            format: format,
            width: clampedWidth,
            height: clampedHeight,
            quality: min(100, max(1, quality))
        )
        return Array(repeating: output, count: min(10, max(1, count)))
    }

    /// Scales a requested size down, keeping its aspect, so that neither side exceeds `maxSide`.
    static func clamp(width: Int, height: Int, maxSide: Int) -> (Int, Int) {
        let width = max(16, width)
        let height = max(16, height)
        let longest = max(width, height)
        guard longest > maxSide else { return (width, height) }
        let scale = Double(maxSide) / Double(longest)
        return (max(16, Int((Double(width) * scale).rounded())), max(16, Int((Double(height) * scale).rounded())))
    }

    /// The SHA-256 of the image a field carried: its bytes for raw base64, a data: URI or one of
    /// the emulator's own assets; the URL string itself for any other URL.
    func imageDigest(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        if text.hasPrefix("data:"), let comma = text.firstIndex(of: ","),
            let bytes = Data(base64Encoded: String(text[text.index(after: comma)...]), options: .ignoreUnknownCharacters)
        {
            return SHA256.hash([UInt8](bytes)).hex
        }
        if text.hasPrefix("http://") || text.hasPrefix("https://") {
            let ownAssets = "\(base)/assets/"
            if text.hasPrefix(ownAssets), let asset = assets[String(text.dropFirst(ownAssets.count))] {
                return SHA256.hash(asset.bytes).hex
            }
            return SHA256.hash(Array(text.utf8)).hex
        }
        if let bytes = Data(base64Encoded: text, options: .ignoreUnknownCharacters) {
            return SHA256.hash([UInt8](bytes)).hex
        }
        return SHA256.hash(Array(text.utf8)).hex
    }

    /// An amount as Segmind prints it: no trailing zeros, at most six decimals.
    static func money(_ value: Double) -> String {
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
