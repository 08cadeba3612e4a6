import Foundation
import Hashing
import ImageFormats
package import Logging
package import Outbox
package import SegmindAPI
package import SegmindCatalog
import StrictJSON
import Synchronization

/// Runs one job from its dropped files to a finished folder in the outbox.
///
/// Every job ends in `done/` or `failed/` with its inputs: ``run(_:settings:events:)`` never throws.
/// Inputs are read once, with size caps, and the copies read are what is validated and sent. The
/// sidecar is validated against the catalog before a single credit is spent.
package struct JobRunner: Sendable {
    package let client: SegmindClient
    package let catalog: ModelCatalog
    package let outbox: OutboxFolders
    let logger: Logger

    package init(client: SegmindClient, catalog: ModelCatalog, outbox: OutboxFolders, logger: Logger = Logger(label: "facedrop.job")) {
        self.client = client
        self.catalog = catalog
        self.outbox = outbox
        self.logger = logger
    }

    package func run(_ input: JobInput, settings: JobSettings, events: (@Sendable (JobEvent) -> Void)? = nil) async -> JobReport {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(input.name)"
        let staging: StagingFolder
        do {
            try outbox.prepare()
            staging = try outbox.makeStagingFolder()
        } catch {
            logger.error("the outbox cannot be written", metadata: ["error": "\(error)"])
            let report = JobReport(outcome: .failed, folder: nil, requestID: nil, errorCode: "outbox_unwritable")
            events?(.finished(report))
            return report
        }
        var attempt = Attempt(input: input, settings: settings)
        let report: JobReport
        do {
            try await attempt.perform(using: self, into: staging, events: events)
            report = try finish(attempt, in: staging, outcome: .done, failure: nil)
        } catch let failure as JobFailure {
            report =
                (try? finish(attempt, in: staging, outcome: .failed, failure: failure))
                ?? JobReport(outcome: .failed, folder: nil, requestID: failure.requestID, errorCode: failure.code)
        } catch {
            let failure = JobFailure(stage: .write, code: "internal", message: "\(error)", hint: "This is a facedrop bug; please report it.")
            report =
                (try? finish(attempt, in: staging, outcome: .failed, failure: failure))
                ?? JobReport(outcome: .failed, folder: nil, requestID: nil, errorCode: failure.code)
        }
        if report.outcome == .done {
            logger.info("job done", metadata: ["folder": "\(report.folder ?? "")", "segmind.request_id": "\(report.requestID ?? "")"])
        } else {
            logger.warning("job failed", metadata: ["code": "\(report.errorCode ?? "")", "folder": "\(report.folder ?? "")"])
        }
        events?(.finished(report))
        return report
    }

    /// Writes the record (result.json last, or error.json) and moves the folder into place.
    private func finish(_ attempt: Attempt, in staging: StagingFolder, outcome: JobOutcome, failure: JobFailure?) throws -> JobReport {
        let record: [String: JSONValue] = failure.map { attempt.errorRecord($0) } ?? attempt.resultRecord()
        let folder = try JobDelivery(outbox: outbox).publish(attempt, from: staging, record: .object(record), outcome: outcome)
        return JobReport(outcome: outcome, folder: folder, requestID: attempt.requestID, errorCode: failure?.code)
    }
}
