/// Marks the requests of a probe: a poll made before its job is expected to be done, on a guess (the catalog's
/// figure, or one scaled from another size), rather than at the run time measured for its model and size, by a
/// job other than its model's scout (the scout's finish plans every other job of the model again, so its polls
/// are served as due ones).
///
/// A probe finds its job still running more often than not, so the request budget serves it after the polls
/// that are due (the ones that end jobs already done and waiting to be found) and does not let it take the
/// tokens kept for those (``RequestBudget/readReserve``); it still goes before submits. The executor sets
/// ``current`` around each poll (a task-local value, so the status request and the result request it may lead
/// to carry it).
package enum PollProbe {
    /// Whether the current task's requests belong to a probe.
    @TaskLocal package static var current = false
}
