package import DaemonConfiguration
package import Foundation
import InboxWatcher
import JobPipeline
package import Journal
import StrictJSON

/// `facedrop cancel`: takes back jobs that are not yet sent to Segmind, from outside the daemon.
///
/// The journal decides, not a message to the daemon: one transaction moves a job from a queued state (claimed, or
/// waiting for credits or budget) to `cancelled`, and the daemon's intent to submit moves a job only from `claimed`.
/// Whichever commits first wins, so a job reported cancelled here is never sent, even if the daemon had already
/// picked it. A submitted job cannot be taken back: Segmind has no cancel, so it runs, is billed and is delivered.
///
/// The files are moved by the daemon, which owns them: it is asked to at once through its wake folder, and a daemon
/// that is not running returns them at its next start.
package struct JobCancellation: Sendable {
    /// Which jobs to take back.
    package enum Selection: Sendable {
        /// Jobs by ID (`42`, `#42`), name (the drop's stem) or `subpath/name`.
        case jobs([String])
        /// Every unsent job of one inbox.
        case inbox(String)
        /// Every unsent job.
        case allPending
    }

    /// What became of one job.
    package enum Outcome: Sendable, Equatable {
        case cancelled(JobRecord)
        /// Already sent, or maybe sent (`submitting`): Segmind has no cancel.
        case alreadySent(JobRecord)
        /// Done, failed or cancelled already.
        case alreadyEnded(JobRecord)
        case notFound(String)
    }

    package let configuration: DaemonConfiguration

    package init(configuration: DaemonConfiguration) {
        self.configuration = configuration
    }

    /// Cancels what `selection` names; then asks a running daemon to return the files (see the type's description).
    ///
    /// - Returns: one outcome per job named or found, and whether a running daemon was asked to return the files now
    ///   (false: none runs, or its wake folder is not writable; the files move at its next start).
    package func cancel(
        _ selection: Selection,
        requestedBy user: String,
        reason: String?,
        at time: Date = Date()
    ) async throws(DaemonError) -> (
        outcomes: [Outcome], daemonAsked: Bool
    ) {
        let state = StateFolders(root: configuration.state.directory)
        let journal: JobJournal
        do {
            journal = try JobJournal(stateDirectory: state.root)
        } catch {
            throw .journal("\(error)")
        }
        defer { try? journal.close() }
        let inboxes = InboxDirectory(configuration)
        var outcomes: [Outcome] = []
        do throws(JournalError) {
            for candidate in try candidates(selection, in: journal) {
                guard case .cancelled(let record) = candidate else {
                    outcomes.append(candidate)
                    continue
                }
                let note = JobDelivery.cancellationRecord(inboxes.jobInput(record), model: record.model, requestedBy: user, reason: reason, at: time)
                do {
                    outcomes.append(.cancelled(try await journal.markCancelled(record.id, record: String(decoding: note.serialized(), as: UTF8.self))))
                } catch {
                    // The daemon sent it (or failed it) between the read and this write.
                    guard case .illegalTransition = error, let now = try journal.job(record.id) else { throw error }
                    outcomes.append(now.state.isTerminal ? .alreadyEnded(now) : .alreadySent(now))
                }
            }
        } catch {
            throw .journal("\(error)")
        }
        guard outcomes.contains(where: { if case .cancelled = $0 { true } else { false } }), InstanceLock.isHeld(at: state.lock) else {
            return (outcomes, false)
        }
        do {
            try InotifyWatcher.sendRequest(wakeFolder: state.wake)
            return (outcomes, true)
        } catch {
            return (outcomes, false)
        }
    }

    /// The jobs `selection` names, each as `.cancelled` when it may still be taken back (to be confirmed by the write).
    private func candidates(_ selection: Selection, in journal: JobJournal) throws(JournalError) -> [Outcome] {
        let records: [JobRecord]
        switch selection {
        case .jobs(let references):
            var outcomes: [Outcome] = []
            for reference in references {
                let found = try journal.jobs(named: reference)
                // A name dropped again later: the queued one is meant, else the newest.
                guard let record = found.first(where: { JobState.unsent.contains($0.state) }) ?? found.first else {
                    outcomes.append(.notFound(reference))
                    continue
                }
                outcomes.append(Self.classify(record))
            }
            return outcomes
        case .inbox(let name):
            records = try journal.unsentJobs(inbox: name)
        case .allPending:
            records = try journal.unsentJobs(inbox: nil)
        }
        return records.map(Self.classify)
    }

    private static func classify(_ record: JobRecord) -> Outcome {
        if JobState.unsent.contains(record.state) { return .cancelled(record) }
        return record.state.isTerminal ? .alreadyEnded(record) : .alreadySent(record)
    }
}
