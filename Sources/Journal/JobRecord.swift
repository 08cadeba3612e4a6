package import Foundation

/// One job as the journal stores it: a snapshot, read in one transaction.
///
/// There is deliberately no field for credentials: the journal has no way to store an API key.
@dynamicMemberLookup
package struct JobRecord: Sendable, Equatable, Identifiable {
    package var id: Int64
    /// What was known when the job was claimed; its fields read directly on the record (`record.claimedPath`).
    package var claim: JobClaim
    package var state: JobState
    package var requestID: String?
    package var statusURL: String?
    package var responseURL: String?
    package var submittedAt: Date?
    /// Polls made so far for this request.
    package var polls: Int
    package var nextPollAt: Date?
    /// After this moment the job is given up as timed out.
    package var deadline: Date?
    /// When the generation finished (or, when Segmind did not say, when its outputs were fetched); with
    /// `submittedAt` it gives the model's run time.
    package var completedAt: Date?
    package var spoolPath: String?
    /// JSON text describing what was sent (model, parameters, warnings), recorded with the intent to submit.
    package var request: String?
    /// JSON text of Segmind's answer for the finished request (output URLs, metrics), journaled the moment a
    /// poll found it finished and before any download; nil until then.
    package var result: String?
    /// JSON text describing the spooled outputs; `[]` until there are any.
    package var outputs: String
    package var errorCode: String?
    /// JSON text of the error record for `error.json`.
    package var errorRecord: String?
    package var resultFolder: String?
    package var updatedAt: Date
    /// 1 for a dropped job; n + 1 for a retry of attempt n (see ``JobJournal/registerRetry(_:)``).
    package var attempt = 1
    /// JSON text of the earlier attempt's record (`error.json` or `cancelled.json`), for a retry.
    package var previousError: String?
    /// The claim ID of the attempt this one retries.
    package var retriedFrom: String?

    package subscript<Value>(dynamicMember keyPath: WritableKeyPath<JobClaim, Value>) -> Value {
        get { claim[keyPath: keyPath] }
        set { claim[keyPath: keyPath] = newValue }
    }
}
