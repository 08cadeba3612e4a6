import Foundation
import ImageFormats
import Logging
import SegmindCatalog
import StrictJSON

extension EmulatorServer {
    /// `GET /v2/requests/{id}/status`, `GET /v2/requests/{id}` and the v1 poll URL.
    func poll(_ id: String, endpoint: EmulatorEndpoint, request: EmulatorRequest, now: Date) async -> Outcome {
        if let refusal = authorize(request) ?? (configuration.pollsCountTowardLimit ? admitRate(now: now) : nil) {
            return Outcome(response: refusal, requestID: id)
        }
        let notFound = EmulatorResponse.error(404, "Request \(id) not found")
        guard let record = records[id] else {
            return Outcome(response: notFound, requestID: id)
        }
        let outcome = { (response: EmulatorResponse) in Outcome(response: response, model: record.model, requestID: id) }
        let phase = record.phase(at: now, timeToLive: configuration.recordTimeToLive)
        switch phase {
        case .expired:
            return outcome(notFound)
        case .queued:
            return outcome(
                .json(
                    200,
                    .object([
                        "status": .string("QUEUED"),
                        "request_id": .string(id),
                        "status_url": .string("\(base)/v2/requests/\(id)/status"),
                        "response_url": .string("\(base)/v2/requests/\(id)"),
                        "metrics": .object([:]),
                    ])
                )
            )
        case .processing:
            return outcome(
                .json(
                    200,
                    .object([
                        "status": .string("PROCESSING"),
                        "request_id": .string(id),
                        "metrics": .object([:]),
                    ])
                )
            )
        case .failed:
            return outcome(
                .json(
                    422,
                    .object([
                        "status": .string("FAILED"),
                        "error": .string(record.failure ?? configuration.failureMessage),
                        "metrics": .object(["inference_time": .amount(record.runDuration)]),
                        "request_id": .string(id),
                    ])
                )
            )
        case .completed where endpoint == .status:
            return outcome(
                .json(
                    200,
                    .object([
                        "status": .string("COMPLETED"),
                        "request_id": .string(id),
                        "metrics": .object(["inference_time": .amount(record.runDuration)]),
                    ])
                )
            )
        case .completed:
            return outcome(await completedResult(id))
        }
    }

    /// The full result of a COMPLETED job, rendering its images on first need.
    private func completedResult(_ id: String) async -> EmulatorResponse {
        guard let record = records[id] else { return .error(404, "Request \(id) not found") }
        let files: [[UInt8]]
        do {
            files = try await renderedOutputs(id)
        } catch {
            logger.error("rendering failed", metadata: ["request_id": "\(id)", "error": "\(error)"])
            return .error(500, "Internal server error")
        }
        let images: [JSONValue] = files.indices.map { index in
            let name = record.fileName(at: index)
            return .object([
                "url": .string("\(base)/generations/\(id)/\(name)"),
                "content_type": .string(record.outputs[index].format.contentType),
                "file_name": .string(name),
                "file_size": .integer(Int64(files[index].count)),
            ])
        }
        let urls: [JSONValue] = images.compactMap { image in
            if case .object(let fields) = image { return fields["url"] }
            return nil
        }
        let output: JSONValue = (urls.count == 1 && !configuration.outputAsList) ? urls[0] : .array(urls)
        let remaining = Self.money(totalBalance)
        return .json(
            200,
            .object([
                "status": .string("COMPLETED"),
                "error": .null,
                "metrics": .object([
                    "inference_time": .amount(record.runDuration),
                    "queue_time": .amount(record.queueDuration),
                    "total_time": .amount(record.queueDuration + record.runDuration),
                    "cost": .amount(record.cost),
                    "remaining_credits": .amount(totalBalance),
                ]),
                "output": output,
                "images": .array(images),
            ]),
            headers: [("x-remaining-credits", remaining)]
        )
    }

    /// `GET /v1/get-user-credits`: free of charge and outside the rate limit.
    func userCredits(request: EmulatorRequest) -> Outcome {
        if let refusal = authorize(request) {
            return Outcome(response: refusal)
        }
        return Outcome(
            response: .json(
                200,
                .object([
                    "credits": .amount(credits),
                    "free-credits": .amount(freeCredits),
                ])
            )
        )
    }
}
