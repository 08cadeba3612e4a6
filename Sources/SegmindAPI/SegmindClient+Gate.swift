import Foundation

/// Asking the configured ``RequestGate`` before each API request and telling it about every 429.
extension SegmindClient {
    /// The longest a 429's reset time may hold the gate. Segmind's window is a minute; a reset hours
    /// away is a wrong clock or a wrong header, and must not stop every job of the daemon for that long.
    static let longestRateLimitHold: Duration = .seconds(600)

    /// Waits for the gate's leave to send one request of `kind` (at once when there is no gate); throws
    /// ``SegmindError/cancelled`` when the calling task is cancelled while it waits.
    public func waitForTurn(_ kind: RequestKind) async throws(SegmindError) {
        guard let gate = configuration.gate else { return }
        do {
            try await gate.admit(kind)
        } catch {
            throw .cancelled
        }
    }

    /// How long to wait before repeating after `failure`, or nil when it must not be repeated (it is not
    /// worth it, or the policy's attempts are spent).
    ///
    /// A 429 is reported to the gate first, whether or not this request is repeated: the limit is the
    /// account's, so every other job must hold off too. The gate is held until Segmind's reset time, or
    /// without one for the backoff this request would wait.
    func waitBeforeRetry(after failure: SegmindError, attempt: Int, policy: RetryPolicy) async -> Duration? {
        let wait = retryDelay(for: failure, attempt: attempt, policy: policy)
        if case .rateLimited(let retryAt, _) = failure, let gate = configuration.gate {
            let hold =
                retryAt.map { Duration.seconds(max(0, $0.timeIntervalSinceNow)) }
                ?? wait
                ?? policy.delay(afterAttempt: attempt)
            await gate.rateLimited(until: .now + min(hold, Self.longestRateLimitHold))
        }
        guard attempt < policy.maxAttempts else { return nil }
        return wait
    }
}
