import JobPipeline
import Journal
import Logging
import Outbox
import ServiceMetrics

extension JobExecutor {
    /// Returns a cancelled job's files to `cancelled/` in its outbox (again, after a crash) and records where they
    /// went. `facedrop cancel` journals the cancellation; the files are moved here, by the daemon that owns them.
    func deliverCancellation(_ record: JobRecord) async -> Ending {
        guard returningFiles.insert(record.id) else { return .finished }
        defer { returningFiles.remove(record.id) }
        // Read again: another task may have returned them since `record` was read.
        guard let record = try? journal.job(record.id), record.state == .cancelled, record.resultFolder == nil else { return .finished }
        guard let folder = await publishRecord(of: record, as: .cancelled) else {
            return (try? journal.job(record.id))?.state == .takenOver ? .finished : .writePending
        }
        await discardFiles(of: record)
        _ = await journaled("record where a cancelled job went", record) { () async throws(JournalError) in
            try await journal.recordCancellationDelivered(record.id, resultFolder: folder)
        }
        DaemonMetrics.finished(record, as: .cancelled)
        logger.notice("cancelled before it was sent; its files are back", metadata: ["job": "\(record.name)", "folder": "\(folder)"])
        return .finished
    }
}
