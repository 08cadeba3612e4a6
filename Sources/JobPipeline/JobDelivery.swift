import FileSystem
package import Foundation
import Hashing
package import Outbox
import SegmindAPI
import SegmindCatalog
package import StrictJSON

/// Puts a job's folder into the outbox: its inputs, its images or its error record, appearing whole.
///
/// Delivery may be repeated after a crash, so it first looks for a folder this claim already delivered
/// (its record carries the claim's ID) and returns that instead of delivering a second copy.
package struct JobDelivery: Sendable {
    package let outbox: OutboxFolders
    /// The largest input copied back into the job's `input/` folder.
    package let maxInputBytes: Int
    /// Where the pictures' generation parameters go.
    package let metadata: PictureMetadata
    /// For a job of a shared inbox: the name of its staging folder (the claim and the host), and the check, made
    /// once that folder exists, that the claim is still this host's. A host that adopts the claim takes away the
    /// staging folders of the others (``OutboxFolders/takeStagingFolders(prefix:keeping:)``) right after adopting
    /// it, so a host that hung can publish its folder only if it made it before the adoption (and then the folder is
    /// taken from it, and its publishing rename fails) or found the claim its own after making it (and then it was
    /// not adopted): whichever way, one folder is published.
    package let fence: Fence?

    /// See ``fence``.
    package struct Fence: Sendable {
        package var stagingName: String
        package var owns: @Sendable () -> Bool

        package init(stagingName: String, owns: @escaping @Sendable () -> Bool) {
            self.stagingName = stagingName
            self.owns = owns
        }
    }

    /// The code of the failure thrown when ``fence`` finds the claim adopted by another host.
    package static let takenOverCode = "taken_over"

    package init(outbox: OutboxFolders, maxInputBytes: Int = 64 << 20, metadata: PictureMetadata = .embedded, fence: Fence? = nil) {
        self.outbox = outbox
        self.maxInputBytes = maxInputBytes
        self.metadata = metadata
        self.fence = fence
    }

    /// Delivers a finished generation; returns the `done/` folder. Each image is taken from `fetched` (by file
    /// name: the bytes just fetched and checked) or else from `spoolFolder`, where the images wait after a
    /// delivery the outbox refused.
    ///
    /// A delivery the outbox refuses (full, read-only) leaves nothing behind in it: the staging folder is
    /// removed, and the caller keeps the images in the spool for the next try.
    package func deliverResult(
        _ input: JobInput,
        summary: GenerationSummary,
        spoolFolder: String,
        fetched: [String: [UInt8]] = [:]
    ) throws(JobFailure) -> String {
        if let existing = try delivered(input, outcome: .done) { return existing }
        let staging = try stage(input)
        var attempt = staging.attempt
        do throws(JobFailure) {
            return try fileResult(&attempt, in: staging.folder, summary: summary, spoolFolder: spoolFolder, fetched: fetched)
        } catch {
            try? outbox.removeTree(staging.folder.path)
            throw error
        }
    }

    private func fileResult(
        _ attempt: inout Attempt,
        in staging: StagingFolder,
        summary: GenerationSummary,
        spoolFolder: String,
        fetched: [String: [UInt8]]
    ) throws(JobFailure) -> String {
        attempt.model = summary.model
        attempt.requestID = summary.requestID
        attempt.sentParameters = summary.parameters
        attempt.warnings = summary.warnings
        attempt.submittedAt = summary.submittedAt
        attempt.completedAt = summary.completedAt
        attempt.polls = summary.polls
        attempt.metrics = GenerationMetrics(inferenceTime: summary.inferenceTime, cost: summary.cost, remainingCredits: summary.remainingCredits)
        attempt.remainingCredits = summary.remainingCredits
        attempt.emulator = summary.emulator
        attempt.estimate = summary.estimate
        var delivered: [JSONValue] = []
        for output in summary.outputs {
            guard let file = output["file"]?.stringValue else {
                delivered.append(output)
                continue
            }
            let bytes: [UInt8]
            if let kept = fetched[file] {
                bytes = kept
            } else {
                bytes = try spooled(file, described: output, in: spoolFolder)
            }
            let tagged = Self.tagged(
                bytes,
                file: file,
                entry: output,
                sent: summary.parameters,
                model: summary.model,
                requestID: summary.requestID,
                metadata: metadata
            )
            try write { try staging.write(tagged.bytes, named: file) }
            if let sidecar = tagged.sidecar {
                try write { try staging.write(sidecar, named: "\(file).xmp") }
            }
            delivered.append(tagged.entry)
        }
        attempt.outputs = delivered
        return try publish(attempt, from: staging, record: .object(attempt.resultRecord()), outcome: .done)
    }

    /// The code of the failure ``deliverResult(_:summary:spoolFolder:fetched:)`` throws when a spooled output is missing
    /// or not the one downloaded: the caller fetches the outputs again and delivers once more.
    package static let spoolLostCode = "spool_lost"

    /// A spooled output's bytes, checked against the `sha256` recorded when it was downloaded. The spool is not
    /// flushed on the happy path (the copy in the job folder is), so after a power loss a file the journal
    /// records may be missing, short or zeroed (or never written: a job's outputs are written there only when
    /// the outbox refuses them); such a file must never reach `done/`.
    private func spooled(_ file: String, described output: JSONValue, in spoolFolder: String) throws(JobFailure) -> [UInt8] {
        let path = "\(spoolFolder)/\(file)"
        let bytes = try? InputFile.read(path, maxBytes: Int.max)
        guard let bytes, output["sha256"]?.stringValue.map({ $0 == SHA256.hash(bytes).hex }) ?? true else {
            throw JobFailure(
                stage: .write,
                code: Self.spoolLostCode,
                message: "the spooled output \(path) is missing or not the file downloaded",
                hint: "facedrop fetches the outputs again from the URLs journaled with the result."
            )
        }
        return bytes
    }

    /// Puts the folder of a job that ended without outputs into `failed/` or `cancelled/`: its inputs and `record` (as
    /// `error.json` or `cancelled.json`); the folder already delivered for this claim when a crash came between
    /// publishing it and journaling where it went.
    package func deliverRecord(_ input: JobInput, record: JSONValue, outcome: JobOutcome) throws(JobFailure) -> String {
        if let existing = try delivered(input, outcome: outcome) { return existing }
        let staging = try stage(input)
        do throws(JobFailure) {
            return try publish(staging.attempt, from: staging.folder, record: record, outcome: outcome)
        } catch {
            try? outbox.removeTree(staging.folder.path)
            throw error
        }
    }

    /// A failed job's folder in `failed/` (see ``deliverRecord(_:record:outcome:)``).
    package func deliverFailure(_ input: JobInput, record: JSONValue) throws(JobFailure) -> String {
        try deliverRecord(input, record: record, outcome: .failed)
    }

    /// The `cancelled.json` content of a job taken back before its POST: who asked, when, and why.
    package static func cancellationRecord(_ input: JobInput, model: String?, requestedBy: String, reason: String?, at time: Date = Date()) -> JSONValue {
        var attempt = Attempt(input: input, settings: JobSettings())
        attempt.model = model
        return .object(attempt.cancellationRecord(requestedBy: requestedBy, reason: reason, at: time))
    }

    /// The `error.json` content of a failure, kept in the journal until it is delivered.
    package static func errorRecord(_ input: JobInput, failure: JobFailure, model: String?, requestID: String?) -> JSONValue {
        var attempt = Attempt(input: input, settings: JobSettings())
        attempt.model = model
        attempt.requestID = requestID
        return .object(attempt.errorRecord(failure))
    }

    /// The folder this claim was already delivered to, found by the claim ID in its record. Only real
    /// folders are looked into: a link planted at a job folder's name is never followed.
    package func findDelivered(_ input: JobInput, outcome: JobOutcome) -> String? {
        guard let claimID = input.claimID else { return nil }
        let recordName = outcome.recordName
        for folder in outbox.existingJobFolders(outcome, subpath: input.subpath, job: input.name) {
            if let bytes = try? outbox.read("\(folder)/\(recordName)", limit: 4 << 20),
                let record = try? JSONParser().parse(bytes),
                record["claim_id"]?.stringValue == claimID
            {
                return folder
            }
        }
        return nil
    }

    // MARK: - Implementation

    /// The folder already delivered for this claim (``findDelivered(_:outcome:)``), which a fenced delivery returns only
    /// while the claim is still this host's: one that the adopter delivered is the adopter's job, not this host's.
    private func delivered(_ input: JobInput, outcome: JobOutcome) throws(JobFailure) -> String? {
        guard let existing = findDelivered(input, outcome: outcome) else { return nil }
        try checkFence()
        return existing
    }

    /// Throws ``takenOverCode`` when ``fence`` finds the claim adopted by another host.
    private func checkFence() throws(JobFailure) {
        guard let fence, !fence.owns() else { return }
        throw JobFailure(
            stage: .write,
            code: Self.takenOverCode,
            message: "another host adopted this job's claim",
            hint: "The host that adopted it delivers the job."
        )
    }

    /// A staging folder holding the job's inputs, copied from wherever they were claimed.
    ///
    /// An input that cannot be taken (gone, not a regular file, too big, hard-linked) is left out, never
    /// followed or read, and named in the record's `inputs_left_out` with the reason.
    private func stage(_ input: JobInput) throws(JobFailure) -> (attempt: Attempt, folder: StagingFolder) {
        let staging = try write {
            try outbox.prepareOnce()
            return try outbox.makeStagingFolder(named: fence?.stagingName)
        }
        do throws(JobFailure) {
            try checkFence()
        } catch {
            try? outbox.removeTree(staging.path)
            throw error
        }
        var attempt = Attempt(input: input, settings: JobSettings())
        for path in [input.facePath, input.sidecarPath, input.posePath].compactMap({ $0 }) {
            let name = PathNames.last(path)
            let bytes: [UInt8]
            do {
                bytes = try InputFile.readDropped(path, maxBytes: maxInputBytes)
            } catch {
                attempt.inputsLeftOut.append(["file": .string(name), "reason": .string(JobPreparer.describe(error, path: path, input: input))])
                continue
            }
            do throws(JobFailure) {
                try write { try staging.writeInput(bytes, named: name) }
            } catch {
                try? outbox.removeTree(staging.path)
                throw error
            }
        }
        return (attempt, staging)
    }

    /// Writes the record last and moves the staged folder into place, logging the outcome.
    func publish(_ attempt: Attempt, from staging: StagingFolder, record: JSONValue, outcome: JobOutcome) throws(JobFailure) -> String {
        let input = attempt.input
        var record = record
        if !attempt.inputsLeftOut.isEmpty, var fields = record.objectValue {
            fields["inputs_left_out"] = .array(attempt.inputsLeftOut)
            record = .object(fields)
        }
        return try write {
            try staging.write(record.serialized(pretty: true) + [0x0A], named: outcome.recordName)
            let folder = try outbox.publish(staging, outcome: outcome, subpath: input.subpath, job: input.name)
            var event: [String: JSONValue] = [
                "event": .string(outcome.logEvent),
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

    /// Runs an outbox write, turning any file-system error into the `outbox_unwritable` failure. The next delivery
    /// then makes the outbox's folders again (``OutboxFolders/forgetPrepared()``): one may have been removed.
    private func write<Value>(_ body: () throws -> Value) throws(JobFailure) -> Value {
        do {
            return try body()
        } catch {
            outbox.forgetPrepared()
            throw JobFailure(
                stage: .write,
                code: "outbox_unwritable",
                message: "\(error)",
                hint: "Check the outbox's permissions and free space; the job is kept and delivered again."
            )
        }
    }
}
