/// What start-up must do with every unfinished job found in the journal.
public struct RecoveryPlan: Sendable, Equatable {
    /// Jobs caught in `submitting`: the POST may have reached Segmind unrecorded. Fail them as `outcome_unknown`;
    /// never submit them again, or the user may pay twice.
    public var outcomeUnknown: [JobRecord]
    /// Jobs in `submitted`: resume polling their request ID.
    public var resumePolling: [JobRecord]
    /// Jobs in `spooled`: deliver the spooled outputs to the outbox again.
    public var redeliver: [JobRecord]
    /// Jobs in `delivered`: finish them (archive the inputs, mark done) again.
    public var finish: [JobRecord]
    /// Jobs in `claimed` or `waitingForCredits`: queue them again.
    public var requeue: [JobRecord]

    public init(
        outcomeUnknown: [JobRecord] = [],
        resumePolling: [JobRecord] = [],
        redeliver: [JobRecord] = [],
        finish: [JobRecord] = [],
        requeue: [JobRecord] = []
    ) {
        self.outcomeUnknown = outcomeUnknown
        self.resumePolling = resumePolling
        self.redeliver = redeliver
        self.finish = finish
        self.requeue = requeue
    }

    /// `true` when nothing was left unfinished.
    public var isEmpty: Bool {
        outcomeUnknown.isEmpty && resumePolling.isEmpty && redeliver.isEmpty && finish.isEmpty && requeue.isEmpty
    }
}
