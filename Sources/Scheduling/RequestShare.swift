/// The queue a request to Segmind is made for, so the request budget takes turns between queues as the
/// scheduler does.
///
/// The scheduler runs each job with ``current`` set to the job's queue (a task-local value, so every request
/// the job makes, through whatever calls, carries it). When requests wait for the budget, the next one comes
/// from the queue whose turn it is (``FairTurns``), not simply the one that asked first: a quiet inbox's submit
/// does not wait behind the polls of a busy inbox's jobs. Requests made outside a job (credit checks) carry
/// none and go first.
package struct RequestShare: Sendable, Hashable {
    package var share: QueueShare
    /// The weight of the share's inbox.
    package var weight: Int

    package init(share: QueueShare, weight: Int) {
        self.share = share
        self.weight = max(1, weight)
    }

    /// The queue the current task's requests are made for.
    @TaskLocal package static var current: RequestShare?
}
