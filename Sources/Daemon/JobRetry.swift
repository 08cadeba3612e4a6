package import DaemonConfiguration
import FileSystem
import Foundation
package import Journal
import Outbox

/// `facedrop retry`: moves ended jobs' folders (`failed/`, `cancelled/`) into their outbox's `retry/` folder, where
/// the daemon queues each again as a new attempt (``RetryIntake``). Moving a folder there by hand does the same.
///
/// A job whose submit may have been billed (`outcome_unknown`) is only moved with `mayPayTwice`, which leaves a
/// `MAY-PAY-TWICE` file in the folder: retrying it may pay for the generation twice, so it never happens by itself.
package struct JobRetry: Sendable {
    /// Which jobs to retry.
    package enum Selection: Sendable {
        /// Jobs by ID (`42`, `#42`), name (the drop's stem) or `subpath/name`.
        case jobs([String])
        /// Every failed job with this error code whose folder is still in `failed/`.
        case code(String)
    }

    /// What became of one job.
    package enum Outcome: Sendable, Equatable {
        /// Moved into `retry/`: the daemon queues it again.
        case queued(JobRecord, folder: String)
        /// `outcome_unknown` without `mayPayTwice`.
        case mayPayTwice(JobRecord)
        /// Not failed or cancelled (still running, or done).
        case notEnded(JobRecord)
        /// Retried already: a later attempt exists.
        case alreadyRetried(JobRecord)
        /// Its folder is no longer where it was delivered (moved, pruned, already in `retry/`).
        case folderGone(JobRecord)
        case failedToMove(JobRecord, reason: String)
        case notFound(String)
    }

    package let configuration: DaemonConfiguration

    package init(configuration: DaemonConfiguration) {
        self.configuration = configuration
    }

    package func retry(_ selection: Selection, mayPayTwice: Bool) throws(DaemonError) -> [Outcome] {
        let journal: JobJournal
        do {
            journal = try JobJournal(stateDirectory: StateFolders(root: configuration.state.directory).root)
        } catch {
            throw .journal("\(error)")
        }
        defer { try? journal.close() }
        do throws(JournalError) {
            switch selection {
            case .jobs(let references):
                return try references.map { reference throws(JournalError) in
                    let found = try journal.jobs(named: reference)
                    // A name dropped again later: the ended attempt with a folder is meant, else the newest.
                    guard let record = found.first(where: { [.failed, .cancelled].contains($0.state) && $0.resultFolder != nil }) ?? found.first else {
                        return .notFound(reference)
                    }
                    return try move(record, journal: journal, mayPayTwice: mayPayTwice)
                }
            case .code(let code):
                return try journal.endedJobs(code: code).filter { Files.exists($0.resultFolder ?? "") }.map { record throws(JournalError) in
                    try move(record, journal: journal, mayPayTwice: mayPayTwice)
                }
            }
        } catch {
            throw .journal("\(error)")
        }
    }

    private func move(_ record: JobRecord, journal: JobJournal, mayPayTwice: Bool) throws(JournalError) -> Outcome {
        guard [.failed, .cancelled].contains(record.state) else { return .notEnded(record) }
        if try journal.wasRetried(claimID: PathNames.last(record.claimedPath)) { return .alreadyRetried(record) }
        guard let folder = record.resultFolder, Files.exists(folder),
            let inbox = configuration.inboxes.first(where: { $0.name == record.inbox })
        else { return .folderGone(record) }
        if record.errorCode == "outcome_unknown", !mayPayTwice { return .mayPayTwice(record) }
        let outbox = OutboxFolders(root: inbox.outbox)
        guard folder.hasPrefix(outbox.root + "/") else { return .folderGone(record) }
        do {
            let root = try Folder.open(outbox.root)
            if record.errorCode == "outcome_unknown" {
                try? root.create("\(folder)/MAY-PAY-TWICE", bytes: Array("retry allowed to pay twice\n".utf8))
            }
            let retryFolder = try root.folder(outbox.retry, creating: true)
            for attempt in 1...1000 {
                let name = OutboxFolders.jobFolderName(PathNames.last(folder), attempt: attempt)
                if try root.move(folder, to: name, in: retryFolder, replacing: false) {
                    return .queued(record, folder: "\(outbox.retry)/\(name)")
                }
            }
            return .failedToMove(record, reason: "no free name in \(outbox.retry)")
        } catch {
            return .failedToMove(record, reason: "\(error)")
        }
    }
}
