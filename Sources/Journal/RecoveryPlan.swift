/// What start-up must do with every unfinished job found in the journal.
package struct RecoveryPlan: Sendable, Equatable {
    /// Jobs caught in `submitting`: the POST may have reached Segmind unrecorded. Fail them as `outcome_unknown`;
    /// never submit them again, or the user may pay twice.
    package var outcomeUnknown: [JobRecord]
    /// Jobs in `submitted`: resume polling their request ID.
    package var resumePolling: [JobRecord]
    /// Jobs in `spooled`: deliver their outputs to the outbox again, from the spool or fetched again.
    package var redeliver: [JobRecord]
    /// Jobs in `delivered`: finish them (archive the inputs, mark done) again.
    package var finish: [JobRecord]
    /// Jobs in `claimed`, `waitingForCredits` or `waitingForBudget`: queue them again.
    package var requeue: [JobRecord]

    package init(
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
    package var isEmpty: Bool {
        outcomeUnknown.isEmpty && resumePolling.isEmpty && redeliver.isEmpty && finish.isEmpty && requeue.isEmpty
    }
}
