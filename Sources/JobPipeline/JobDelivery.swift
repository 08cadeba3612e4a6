import Foundation
import Hashing
public import Outbox
import SegmindAPI
public import SegmindCatalog

/// Puts a job's folder into the outbox: its inputs, its images or its error record, appearing whole.
///
/// Delivery may be repeated after a crash, so it first looks for a folder this claim already delivered
/// (its record carries the claim's ID) and returns that instead of delivering a second copy.
public struct JobDelivery: Sendable {
    public let outbox: OutboxFolders
    /// The largest input copied back into the job's `input/` folder.
    public let maxInputBytes: Int

    public init(outbox: OutboxFolders, maxInputBytes: Int = 64 << 20) {
        self.outbox = outbox
        self.maxInputBytes = maxInputBytes
    }

    /// Delivers a finished generation whose images wait in `spoolFolder`; returns the `done/` folder.
    public func deliverResult(_ input: JobInput, summary: GenerationSummary, spoolFolder: String) throws(JobFailure) -> String {
        if let existing = findDelivered(input, outcome: .done) { return existing }
        var attempt = try stage(input)
        attempt.model = summary.model
        attempt.requestID = summary.requestID
        attempt.sentParameters = summary.parameters
        attempt.warnings = summary.warnings
        attempt.submittedAt = summary.submittedAt
        attempt.completedAt = summary.completedAt
        attempt.polls = summary.polls
        attempt.metrics = GenerationMetrics(inferenceTime: summary.inferenceTime, cost: summary.cost, remainingCredits: summary.remainingCredits)
        attempt.remainingCredits = summary.remainingCredits
        attempt.outputs = summary.outputs
        for output in summary.outputs {
            guard let file = output["file"]?.stringValue else { continue }
            try write {
                try AtomicFile.write(try InputFile.read("\(spoolFolder)/\(file)", maxBytes: Int.max), to: "\(attempt.staging)/\(file)")
            }
        }
        return try publish(attempt, record: .object(attempt.resultRecord()), outcome: .done)
    }

    /// Delivers a failed job with its error record (from ``errorRecord(_:failure:model:requestID:)``);
    /// returns the `failed/` folder.
    public func deliverFailure(_ input: JobInput, record: JSONValue) throws(JobFailure) -> String {
        if let existing = findDelivered(input, outcome: .failed) { return existing }
        let attempt = try stage(input)
        return try publish(attempt, record: record, outcome: .failed)
    }

    /// The `error.json` content of a failure, kept in the journal until it is delivered.
    public static func errorRecord(_ input: JobInput, failure: JobFailure, model: String?, requestID: String?) -> JSONValue {
        var attempt = Attempt(input: input, settings: JobSettings(), staging: "")
        attempt.model = model
        attempt.requestID = requestID
        return .object(attempt.errorRecord(failure))
    }

    /// The folder this claim was already delivered to, found by the claim ID in its record.
    public func findDelivered(_ input: JobInput, outcome: JobOutcome) -> String? {
        guard let claimID = input.claimID else { return nil }
        let parent = input.subpath.isEmpty ? "\(outbox.root)/\(outcome.rawValue)" : "\(outbox.root)/\(outcome.rawValue)/\(input.subpath)"
        let recordName = outcome == .done ? "result.json" : "error.json"
        for attempt in 1...10_000 {
            let folder = attempt == 1 ? "\(parent)/\(input.name)" : "\(parent)/\(input.name)_\(attempt)"
            guard FileManager.default.fileExists(atPath: folder) else { return nil }
            if let bytes = try? InputFile.read("\(folder)/\(recordName)", maxBytes: 4 << 20),
                let record = try? JSONParser().parse(bytes),
                record["claim_id"]?.stringValue == claimID
            {
                return folder
            }
        }
        return nil
    }

    // MARK: - Implementation

    /// A staging folder holding the job's inputs, copied from wherever they were claimed.
    private func stage(_ input: JobInput) throws(JobFailure) -> Attempt {
        let staging: String = try write {
            try outbox.prepare()
            let staging = try outbox.makeStagingFolder()
            try FileManager.default.createDirectory(atPath: "\(staging)/input", withIntermediateDirectories: true)
            return staging
        }
        for path in [input.facePath, input.sidecarPath, input.posePath].compactMap({ $0 }) {
            // An input that cannot be read (gone, not a regular file, too big) is left out, never followed.
            guard let bytes = try? InputFile.read(path, maxBytes: maxInputBytes) else { continue }
            try write { try AtomicFile.write(bytes, to: "\(staging)/input/\((path as NSString).lastPathComponent)") }
        }
        return Attempt(input: input, settings: JobSettings(), staging: staging)
    }

    /// Writes the record last and moves the staged folder into place, logging the outcome.
    func publish(_ attempt: Attempt, record: JSONValue, outcome: JobOutcome) throws(JobFailure) -> String {
        let input = attempt.input
        return try write {
            let fileName = outcome == .done ? "result.json" : "error.json"
            try AtomicFile.write(record.serialized(pretty: true) + [0x0A], to: "\(attempt.staging)/\(fileName)")
            let folder = try outbox.publish(staged: attempt.staging, outcome: outcome, subpath: input.subpath, job: input.name)
            var event: [String: JSONValue] = [
                "event": .string(outcome == .done ? "job_done" : "job_failed"),
                "job": .string(input.name),
                "inbox": .string(input.inbox),
                "folder": .string(folder),
            ]
            if let id = record["request_id"]?.stringValue { event["request_id"] = .string(id) }
            if let code = record["code"]?.stringValue { event["code"] = .string(code) }
            try? outbox.log(event)
            return folder
        }
    }

    /// Runs an outbox write, turning any file-system error into the `outbox_unwritable` failure.
    private func write<Value>(_ body: () throws -> Value) throws(JobFailure) -> Value {
        do {
            return try body()
        } catch {
            throw JobFailure(stage: .write, code: "outbox_unwritable", message: "\(error)", hint: "Check the outbox's permissions and free space; the job is kept and delivered again.")
        }
    }
}
