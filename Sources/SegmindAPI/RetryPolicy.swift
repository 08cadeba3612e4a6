/// Capped exponential backoff with jitter.
///
/// Attempt `n` (from 1) waits `base × 2^(n-1)`, at most `maxDelay`, scaled by a random factor in
/// `1 ± jitter` so that many jobs failing together do not retry in lock-step.
public struct RetryPolicy: Sendable, Hashable {
    /// The total number of attempts, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// The random spread, 0 (none) to 1.
    public var jitter: Double
    /// The longest wait accepted for a 429's reset time; a later reset is reported instead of waited for.
    public var maxRateLimitWait: Duration

    public init(
        maxAttempts: Int,
        baseDelay: Duration,
        maxDelay: Duration,
        jitter: Double = 0.2,
        maxRateLimitWait: Duration = .seconds(120)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
        self.maxRateLimitWait = maxRateLimitWait
    }

    /// Polls and downloads: six attempts from 0.5 s, capped at 20 s.
    public static let reads = RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(500), maxDelay: .seconds(20))
    /// Submits: three attempts from 1 s, capped at 20 s (and only when repeating is safe).
    public static let submits = RetryPolicy(maxAttempts: 3, baseDelay: .seconds(1), maxDelay: .seconds(20))
    /// One attempt: the caller schedules any retry itself.
    public static let none = RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero)

    /// The wait before attempt `attempt + 1`, after `attempt` failed.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let raw = baseDelay * (1 << exponent)
        let capped = min(raw, maxDelay)
        guard jitter > 0 else { return capped }
        let factor = Double.random(in: (1 - jitter)...(1 + jitter))
        return min(capped * factor, maxDelay)
    }
}
