import Synchronization

/// The thread behind every ``TimerClock``: one kernel timer armed for the earliest deadline of all sleeping
/// tasks, and the thread that blocks on it and resumes the tasks whose deadline has come.
///
/// A scan of all sleepers per firing keeps cancellation simple (a cancelled sleeper is just removed); sleepers
/// are counted in hundreds at most (the jobs waiting for their next poll), and the timer fires only when one of
/// them is due.
final class TimerThread: Sendable {
    /// Started on first use; nil when the kernel gave no timer.
    static let shared: TimerThread? = {
        guard let timer = BootTimer() else { return nil }
        let thread = TimerThread(timer: timer)
        DedicatedThread.start(name: "facedrop-timers") { thread.run() }
        return thread
    }()

    private enum Entry {
        /// Counted, not yet waiting: cancellation may come before the continuation exists.
        case starting
        case waiting(deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Void, any Error>)
        /// Cancelled while ``starting``: the sleep throws as soon as it would begin to wait.
        case cancelled
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        /// The deadline the kernel timer is armed for, if any.
        var armedFor: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let timer: BootTimer

    private init(timer: consuming BootTimer) {
        self.timer = timer
    }

    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            state.entries[state.nextID] = .starting
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let now: Result<Void, any Error>? = state.withLock { state in
                    if case .cancelled = state.entries[id] {
                        state.entries[id] = nil
                        return .failure(CancellationError())
                    }
                    let current = ContinuousClock.now
                    guard deadline > current else {
                        state.entries[id] = nil
                        return .success(())
                    }
                    state.entries[id] = .waiting(deadline: deadline, continuation: continuation)
                    if state.armedFor.map({ deadline < $0 }) ?? true {
                        state.armedFor = deadline
                        timer.arm(after: deadline - current)
                    }
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
                switch state.entries[id] {
                case .starting:
                    state.entries[id] = .cancelled
                    return nil
                case .waiting(_, let continuation):
                    state.entries[id] = nil
                    return continuation
                case .cancelled, nil:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// The thread's loop: wait for the timer, resume who is due, arm for the next deadline.
    private func run() {
        while true {
            timer.wait()
            let due = state.withLock { state in
                let now = ContinuousClock.now
                var due: [CheckedContinuation<Void, any Error>] = []
                var next: ContinuousClock.Instant?
                for (id, entry) in state.entries {
                    guard case .waiting(let deadline, let continuation) = entry else { continue }
                    if deadline <= now {
                        due.append(continuation)
                        state.entries[id] = nil
                    } else if next.map({ deadline < $0 }) ?? true {
                        next = deadline
                    }
                }
                state.armedFor = next
                if let next { timer.arm(after: next - now) }
                return due
            }
            for continuation in due { continuation.resume() }
        }
    }
}
