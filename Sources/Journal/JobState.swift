/// Where a job stands in its life, as recorded in the journal.
///
/// The order of the happy path is `claimed` → `submitting` → `submitted` → `spooled` → `delivered` → `done`.
/// `submitting` is written and synced *before* the paid POST leaves the machine, so a crash between the POST and its
/// answer is visible on restart as a job whose outcome is unknown; it must never be submitted a second time.
package enum JobState: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// The inputs were moved into the inbox's working folder; the job waits for its turn to be submitted.
    case claimed
    /// The intent to submit is on disk; the POST may be in flight.
    case submitting
    /// Segmind answered the POST with a request ID; the job is being polled.
    case submitted
    /// The generated outputs are fetched, checked and described in the journal (with their `sha256`), on their way to
    /// the outbox. They are written into the state folder's spool only while the outbox refuses them; a restart
    /// that finds the spool without them fetches them again from the journaled result.
    case spooled
    /// The result folder is in the outbox.
    case delivered
    /// Everything is finished, inputs archived.
    case done
    /// The job ended in `failed/`, with an error record.
    case failed
    /// A claimed job held back while the account has no credits; it is not failed and resumes by itself.
    case waitingForCredits
    /// A claimed job whose estimated cost would take a spending limit (the service's or its inbox's, for the
    /// UTC day or month) over; it is not failed and resumes when the period rolls over or a reload raises the limit.
    case waitingForBudget

    /// Taken back by `facedrop cancel` before its POST was sent; its files are returned to the outbox's
    /// `cancelled/` folder. Nothing was billed.
    case cancelled
    /// Its claim was adopted by another host sharing the inbox, which took this host for dead (its lease went
    /// unrenewed past `takeover_after`): the other host finishes the job and delivers its folder, and this host
    /// does nothing more with it.
    case takenOver

    /// `true` for the states a job never leaves.
    package var isTerminal: Bool {
        self == .done || self == .failed || self == .cancelled || self == .takenOver
    }

    /// The states of a job whose POST has not been sent: the ones `facedrop cancel` may take back.
    package static let unsent: Set<JobState> = [.claimed, .waitingForCredits, .waitingForBudget]

    package var description: String { rawValue }
}
