import Synchronization

/// Lets at most a fixed number of jobs hold a prepared submit at once.
///
/// A prepared submit carries the face (and pose) as base64 inside its JSON body, a few hundred kilobytes.
/// `max_in_flight` counts jobs waiting on Segmind, most of them only polling; but when the request budget is the
/// bottleneck (a backlog under `requests_per_minute`), every job in flight would sit at the budget's gate with its
/// body prepared, and memory would grow with `max_in_flight` times the body size. Taking a slot before preparing,
/// and giving it back once the POST has answered, bounds that memory whatever `max_in_flight` is.
final class SubmitSlots: Sendable {
    private struct State {
        var taken = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID = 0
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Waits for a slot; false when the task was cancelled first (then no slot is held).
    func acquire() async -> Bool {
        if Task.isCancelled { return false }
        let id: Int? = state.withLock { state in
            if state.taken < limit, state.waiters.isEmpty {
                state.taken += 1
                return nil
            }
            defer { state.nextID += 1 }
            return state.nextID
        }
        guard let id else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let cancelled = state.withLock { state in
                    if Task.isCancelled { return true }
                    state.waiters.append((id, continuation))
                    return false
                }
                if cancelled { continuation.resume(returning: false) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    func release() {
        let next = state.withLock { state in
            if state.waiters.isEmpty {
                state.taken = max(0, state.taken - 1)
                return nil as CheckedContinuation<Bool, Never>?
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }

    /// Slots held and jobs waiting, for tests.
    var usage: (taken: Int, waiting: Int) {
        state.withLock { ($0.taken, $0.waiters.count) }
    }
}
