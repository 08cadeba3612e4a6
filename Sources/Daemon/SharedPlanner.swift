import DedicatedThreads
import Foundation
import Scheduling
import Synchronization

/// The poll planner every job consults and teaches: what one job learns about a model's run time
/// schedules the polls of the others.
///
/// A job waiting for its next poll waits here (``waitForChange(after:upTo:)``) rather than in a plain sleep, so
/// that when another job finishes and the estimates change, it wakes and plans again: in a burst submitted
/// before any job of a model finished, the first one to finish moves every other's next poll to the run
/// time it measured.
///
/// It also picks each model's *scout*: while a model has never finished here, only the earliest submitted of its
/// jobs now polling probes early (``PollPlanner``'s `scouting`); when the scout's polling ends, without a result
/// too, the next earliest takes over, and the waiting jobs plan again as for a change of the estimates.
final class SharedPlanner: Sendable {
    /// A job now polling, as the scout's choice orders them: the earliest submitted, then the lowest ID.
    struct PollingJob: Sendable, Hashable, Comparable {
        var submittedAt: Date
        var id: Int64

        static func < (lhs: PollingJob, rhs: PollingJob) -> Bool {
            (lhs.submittedAt, lhs.id) < (rhs.submittedAt, rhs.id)
        }
    }

    private struct State {
        var planner: PollPlanner
        /// Counts the changes of the estimates and of the scouts.
        var revision = 0
        /// The jobs now polling, by model.
        var polling: [String: Set<PollingJob>] = [:]
        /// Jobs whose submit was answered and that do not poll yet (their request ID is being journaled), by model.
        var answered: [String: Set<Int64>] = [:]
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextWaiter = 0
    }

    private let state: Mutex<State>
    /// The clock waits are timed by.
    private let clock: ElapsedClock

    init(_ planner: PollPlanner, clock: some Clock<Duration> = TimerClock()) {
        state = Mutex(State(planner: planner))
        self.clock = ElapsedClock(clock)
    }

    /// The planner as it is now.
    var planner: PollPlanner {
        state.withLock { $0.planner }
    }

    /// Counts the changes of the estimates: a waiter passes the one it planned with to ``waitForChange(after:upTo:)``.
    var revision: Int {
        state.withLock { $0.revision }
    }

    /// Whether `job` of `model` is, or would be, the scout: no job of the model now polling was submitted before it.
    func isScout(_ job: PollingJob, model: String) -> Bool {
        state.withLock { state in
            guard let first = state.polling[model]?.min() else { return true }
            return job <= first
        }
    }

    /// Whether job `id`, whose submit Segmind just answered, is the model's scout: no job of `model` polls, nor was
    /// answered before it. The job counts as answered until it begins polling (or ``forgetAnswered(_:model:)``),
    /// so a job answered a moment later, while this one still journals its request ID, is not a second scout.
    func answered(_ id: Int64, model: String) -> Bool {
        state.withLock { state in
            let scout = (state.polling[model]?.isEmpty ?? true) && (state.answered[model]?.isEmpty ?? true)
            state.answered[model, default: []].insert(id)
            return scout
        }
    }

    /// Ends what ``answered(_:model:)`` began, for a job that will not poll after all (or already does).
    func forgetAnswered(_ id: Int64, model: String) {
        state.withLock { state in
            state.answered[model]?.remove(id)
            if state.answered[model]?.isEmpty == true { state.answered[model] = nil }
        }
    }

    /// Counts `job` among the jobs of `model` now polling, until ``endPolling(_:model:)``; wakes the waiting jobs
    /// when that makes it the scout in another job's place.
    func beginPolling(_ job: PollingJob, model: String) {
        forgetAnswered(job.id, model: model)
        changeScouts(model: model) { $0.insert(job) }
    }

    /// Ends what ``beginPolling(_:model:)`` began; wakes the waiting jobs when `job` was the scout.
    func endPolling(_ job: PollingJob, model: String) {
        changeScouts(model: model) { $0.remove(job) }
    }

    private func changeScouts(model: String, _ change: (inout Set<PollingJob>) -> Void) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            var jobs = state.polling[model] ?? []
            let scout = jobs.min()
            change(&jobs)
            state.polling[model] = jobs.isEmpty ? nil : jobs
            // Only a scout handing over to another while the model has not finished matters to anyone's plan.
            guard let scout, let next = jobs.min(), next != scout, !state.planner.hasFinished(model: model) else { return [] }
            state.revision += 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Learns from a finished job and wakes every waiting job to plan again.
    ///
    /// - Returns: the new estimate for the model and size, to be stored.
    @discardableResult
    func learn(model: String, size: WorkSize, runTime: Duration, queueTime: Duration?) -> LearnedRunTime? {
        let (learned, waiters) = state.withLock { state in
            let learned = state.planner.learn(model: model, size: size, runTime: runTime, queueTime: queueTime)
            state.revision += 1
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            return (learned, waiters)
        }
        for waiter in waiters { waiter.resume(returning: true) }
        return learned
    }

    /// Waits up to `wait`; true as soon as the estimates change after `revision` (at once if they already have),
    /// false when the time is up or the task is cancelled.
    func waitForChange(after revision: Int, upTo wait: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { [clock] in
                try? await clock.sleep(until: clock.now + wait)
                return false
            }
            group.addTask { await self.changed(after: revision) }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func changed(after revision: Int) async -> Bool {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer = state.withLock { state -> Bool? in
                    if state.revision != revision { return true }
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: false)
        }
    }
}
