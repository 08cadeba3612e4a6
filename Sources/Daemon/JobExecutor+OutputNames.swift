import DaemonConfiguration
import Foundation
import JobPipeline
import Journal
import StrictJSON

extension JobExecutor {
    /// Names the job's pictures by its inbox's `output_name`, from what the journal holds (the job, its request and
    /// the time of its submit), so a picture fetched again after a power loss gets the same name. `summary` is
    /// ``summary(of:)`` of `record`, read once by the caller.
    func outputNaming(_ record: JobRecord, summary: GenerationSummary?) -> @Sendable (Int, Int) -> String {
        let template = inboxes.inbox(named: record.inbox)?.outputName ?? .standard
        let submitted = record.submittedAt ?? Date()
        var values = [
            "job": record.name,
            "model": record.model ?? summary?.model ?? "",
            "inbox": record.inbox,
            "attempt": String(record.attempt),
            "request_id": record.requestID ?? "",
            "date": submitted.formatted(.iso8601.year().month().day()),
            "time": submitted.formatted(.iso8601.time(includingFractionalSeconds: false).timeSeparator(.omitted)),
        ]
        if let seed = summary?.parameters["seed"] {
            values["seed"] = seed.intValue.map(String.init) ?? seed.stringValue ?? ""
        }
        let placeholders = values
        return { index, total in template.expand(placeholders, index: index, total: total) }
    }
}
