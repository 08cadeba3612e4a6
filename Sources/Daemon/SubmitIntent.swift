import FileSystem
import Journal
import Synchronization

/// Journals a job's intent to submit at the last possible moment: from libcurl's transfer thread, once the
/// connection to Segmind is made and right before the POST's bytes are written to it
/// (``HTTPRequest/beforeSending``).
///
/// `submitting` in the journal then means exactly what recovery takes it to mean, "the POST may have been
/// sent": a daemon killed while it waited for the request budget, resolved the host, connected or shook hands
/// with TLS leaves the job `claimed`, and it is submitted after the restart, where an intent written earlier
/// would make it an unknown outcome that may never be retried. The transfer thread waits for the write to be on
/// disk (a group commit, milliseconds); if the journal refuses it, nothing is sent.
///
/// For an inbox shared with other hosts, the intent is first written as a receipt into the job's claim folder
/// (``ClaimReceipt``), which fails once another host has adopted the claim: then nothing is journaled and nothing
/// is sent. Written before the journal, a receipt never says less than the journal: a host that adopts the claim
/// of a dead one sees the intent whenever the POST may have gone.
final class SubmitIntent: Sendable {
    /// What became of the intent.
    enum Outcome: Sendable {
        /// The transfer never got as far as sending (DNS, connect or TLS failed, or it was never started).
        case notReached
        /// On disk; the POST was let go.
        case recorded(JobRecord)
        /// The journal refused the write; the POST was not sent.
        case refused(JournalError)
        /// The receipt could not be written into the claim folder (gone, adopted by another host, or the share
        /// refused the write); nothing was journaled and the POST was not sent.
        case unreceipted(FileSystemError)
    }

    private let journal: JobJournal
    private let job: JobRecord
    private let request: String
    private let receipt: (@Sendable () throws(FileSystemError) -> Void)?
    private let crashPoints: CrashPoints
    private let state = Mutex(Outcome.notReached)

    init(
        journal: JobJournal,
        job: JobRecord,
        request: String,
        receipt: (@Sendable () throws(FileSystemError) -> Void)? = nil,
        crashPoints: CrashPoints
    ) {
        self.journal = journal
        self.job = job
        self.request = request
        self.receipt = receipt
        self.crashPoints = crashPoints
    }

    var outcome: Outcome { state.withLock { $0 } }

    /// The hook: journals the intent and waits until it is on disk; true to send. Runs on the transfer thread,
    /// never on the cooperative pool, so blocking here holds no task.
    func record() -> Bool {
        if let receipt {
            do throws(FileSystemError) {
                try receipt()
            } catch {
                state.withLock { $0 = .unreceipted(error) }
                return false
            }
        }
        // Blocked on the commit right here: this thread is libcurl's, and no task is needed to queue the change.
        do throws(JournalError) {
            let record = try journal.markSubmittingBlocking(job.id, request: request)
            state.withLock { $0 = .recorded(record) }
        } catch {
            state.withLock { $0 = .refused(error) }
            return false
        }
        crashPoints.reach("submit.intent", job: job.name)
        return true
    }
}
