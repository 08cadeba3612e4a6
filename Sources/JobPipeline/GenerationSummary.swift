package import Foundation
import SegmindAPI
import SegmindCatalog
package import StrictJSON

/// What `result.json` says about a finished generation besides the job's own files.
///
/// The daemon keeps it as JSON in the journal between spooling the outputs and delivering them, so a
/// delivery after a restart writes the same record as one straight through.
package struct GenerationSummary: Sendable, Equatable {
    package var model: String
    package var requestID: String
    /// The parameters sent, images replaced by their hash, size and type.
    package var parameters: [String: JSONValue]
    package var warnings: [String]
    package var submittedAt: Date?
    package var completedAt: Date?
    package var polls: Int
    package var inferenceTime: Double?
    package var cost: Double?
    package var remainingCredits: Double?
    /// The spooled outputs, as ``OutputDownloader/fetch(_:job:name:progress:)`` describes them.
    package var outputs: [JSONValue]
    /// The emulator that answered (``GenerationResult/emulator``), when the outputs are synthetic pictures.
    package var emulator: String?
    /// What the job was estimated to cost before its submit (the budget gate's figure), beside Segmind's `cost`.
    package var estimate: CostEstimate?

    package init(
        model: String,
        requestID: String,
        parameters: [String: JSONValue],
        warnings: [String],
        submittedAt: Date?,
        completedAt: Date?,
        polls: Int,
        inferenceTime: Double?,
        cost: Double?,
        remainingCredits: Double?,
        outputs: [JSONValue],
        emulator: String? = nil,
        estimate: CostEstimate? = nil
    ) {
        self.model = model
        self.requestID = requestID
        self.parameters = parameters
        self.warnings = warnings
        self.submittedAt = submittedAt
        self.completedAt = completedAt
        self.polls = polls
        self.inferenceTime = inferenceTime
        self.cost = cost
        self.remainingCredits = remainingCredits
        self.outputs = outputs
        self.emulator = emulator
        self.estimate = estimate
    }

    package var json: JSONValue {
        var object: [String: JSONValue] = [
            "model": .string(model),
            "request_id": .string(requestID),
            "parameters": .object(parameters),
            "warnings": .array(warnings.map(JSONValue.string)),
            "polls": .integer(Int64(polls)),
            "outputs": .array(outputs),
        ]
        object["submitted_at"] = submittedAt.map { .number($0.timeIntervalSince1970) } ?? .null
        object["completed_at"] = completedAt.map { .number($0.timeIntervalSince1970) } ?? .null
        object["inference_time"] = inferenceTime.map(JSONValue.number) ?? .null
        object["cost"] = cost.map(JSONValue.number) ?? .null
        object["remaining_credits"] = remainingCredits.map(JSONValue.number) ?? .null
        if let emulator { object["emulator"] = .string(emulator) }
        if let estimate { object["estimate"] = estimate.json }
        return .object(object)
    }

    package init?(json: JSONValue) {
        guard let object = json.objectValue,
            let model = object["model"]?.stringValue,
            let requestID = object["request_id"]?.stringValue
        else { return nil }
        func number(_ key: String) -> Double? { object[key]?.doubleValue }
        self.init(
            model: model,
            requestID: requestID,
            parameters: object["parameters"]?.objectValue ?? [:],
            warnings: object["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            submittedAt: number("submitted_at").map(Date.init(timeIntervalSince1970:)),
            completedAt: number("completed_at").map(Date.init(timeIntervalSince1970:)),
            polls: number("polls").map { Int($0) } ?? 0,
            inferenceTime: number("inference_time"),
            cost: number("cost"),
            remainingCredits: number("remaining_credits"),
            outputs: object["outputs"]?.arrayValue ?? [],
            emulator: object["emulator"]?.stringValue,
            estimate: object["estimate"].flatMap(CostEstimate.init(json:))
        )
    }
}
