import CurlHTTP
import Foundation
import Hashing
import ImageFormats
import Outbox
import SegmindAPI
import SegmindCatalog
import StrictJSON
import Synchronization

/// The state of one run of one job, gathered as it goes so either record can be written at any point.
struct Attempt {
    let input: JobInput
    let settings: JobSettings

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
    /// The emulator that answered, when the outputs are synthetic pictures (see ``GenerationResult/emulator``).
    var emulator: String?
    /// The cost estimated before the submit, when the daemon's budget gate made one.
    var estimate: CostEstimate?
    /// Inputs that could not be copied into `input/`: `{"file", "reason"}`.
    var inputsLeftOut: [JSONValue] = []

    init(input: JobInput, settings: JobSettings) {
        self.input = input
        self.settings = settings
    }

    private func keepInput(_ bytes: [UInt8], named name: String, in staging: StagingFolder) throws(JobFailure) {
        do {
            try staging.writeInput(bytes, named: name)
        } catch {
            throw JobFailure(stage: .write, code: "outbox_unwritable", message: "\(error)", hint: "Check the outbox's permissions and free space.")
        }
    }

    /// Runs the job, writing its inputs and images into `staging`.
    mutating func perform(using runner: JobRunner, into staging: StagingFolder, events: (@Sendable (JobEvent) -> Void)?) async throws(JobFailure) {
        // 1. Validate: nothing is sent before every input is read, checked and kept.
        let prepared = try JobPreparer(catalog: runner.catalog).prepare(input, settings: settings) { bytes, name throws(JobFailure) in
            try keepInput(bytes, named: name, in: staging)
        }
        model = prepared.model
        warnings = prepared.warnings
        sentParameters = prepared.parameters
        let body = prepared.body
        events?(.validated(model: prepared.model, warnings: warnings))

        // 2. Submit: the paid step.
        let client = runner.client
        let submitted: SubmittedRequest
        do {
            submitted = try await client.submit(model: prepared.model, body: body)
        } catch {
            throw .segmind(error, stage: .submit, requestID: nil)
        }
        requestID = submitted.requestID
        submittedAt = Date()
        remainingCredits = submitted.remainingCredits
        events?(.submitted(requestID: submitted.requestID))

        // 3. Poll, starting at about the model's usual run time.
        let expected = Duration.milliseconds(Int(prepared.expectedRunSeconds * settings.runTimeScale * 1000))
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
        emulator = result.emulator
        remainingCredits = result.metrics.remainingCredits ?? remainingCredits

        // 4. Fetch every output into memory, verify it is a real image, and name it in order.
        let fetched = try await OutputDownloader(client: client).fetch(
            result,
            job: input.name,
            progress: { index, total, bytes in events?(.downloaded(index: index, of: total, bytes: bytes)) }
        )

        // 5. Write each picture into the staging folder with its generation parameters embedded, as the daemon's
        // deliveries do.
        outputs = try write(fetched, into: staging, model: prepared.model, requestID: submitted.requestID)
    }

    /// Writes each fetched output into the staging folder, tagged with its generation parameters.
    private func write(
        _ fetched: [OutputDownloader.Fetched],
        into staging: StagingFolder,
        model: String,
        requestID: String
    ) throws(JobFailure) -> [JSONValue] {
        var written: [JSONValue] = []
        for output in fetched {
            let tagged = JobDelivery.tagged(
                output.bytes,
                file: output.file,
                entry: output.entry,
                sent: sentParameters,
                model: model,
                requestID: requestID,
                metadata: .embedded
            )
            do {
                try staging.write(tagged.bytes, named: output.file)
                if let sidecar = tagged.sidecar { try staging.write(sidecar, named: "\(output.file).xmp") }
            } catch {
                throw JobFailure(
                    stage: .write,
                    code: "write_failed",
                    message: "could not write \(staging.path)/\(output.file): \(error)",
                    hint: "Check the permissions and free space of the outbox.",
                    requestID: requestID
                )
            }
            written.append(tagged.entry)
        }
        return written
    }

    private func time(_ date: Date?) -> JSONValue {
        date.map { .string($0.formatted(.iso8601)) } ?? .null
    }

    private var common: [String: JSONValue] {
        [
            "job": .string(input.name),
            "inbox": .string(input.inbox),
            "source": .string(input.sourcePath),
            "model": model.map(JSONValue.string) ?? .null,
            "request_id": requestID.map(JSONValue.string) ?? .null,
            "facedrop_version": .string(FacedropVersion.current),
            "attempt": .integer(Int64(input.attempt)),
        ]
        .merging(input.claimID.map { ["claim_id": JSONValue.string($0)] } ?? [:]) { first, _ in first }
        .merging(input.previousAttempt.map { ["previous_attempt": $0] } ?? [:]) { first, _ in first }
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
            "estimate": estimate?.json ?? .null,
        ]
        // An emulator's outputs are synthetic test pictures: say so, so nobody ships one as a generation.
        record["emulated"] = .bool(emulator != nil)
        if let emulator {
            record["emulator"] = .string(emulator)
            record["note"] = .string(
                "Made by a Segmind emulator (\(emulator)): the images are synthetic test pictures, not generations, and nothing was billed; the request ID and credits are the emulator's."
            )
        }
        return record
    }

    /// `cancelled.json`: nothing was sent to Segmind, so nothing was billed.
    func cancellationRecord(requestedBy: String, reason: String?, at date: Date) -> [String: JSONValue] {
        var record = common
        record["code"] = "cancelled"
        record["message"] = .string("cancelled before it was sent to Segmind; nothing was billed")
        record["requested_by"] = .string(requestedBy)
        record["reason"] = reason.map(JSONValue.string) ?? .null
        record["cancelled_at"] = time(date)
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
