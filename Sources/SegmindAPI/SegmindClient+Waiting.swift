import DedicatedThreads

/// Polling a submitted request to the end.
extension SegmindClient {
    /// The polling cadence: the first poll after about the model's run time, then back-off.
    public struct PollSchedule: Sendable, Hashable {
        /// The wait before the first poll: Segmind sends no progress, so polling earlier only spends requests.
        public var firstPoll: Duration
        /// The wait after a poll that found the request still running, growing by `growth` each time.
        public var interval: Duration
        public var growth: Double
        public var maxInterval: Duration
        /// The longest the whole wait may take.
        public var deadline: Duration

        public init(firstPoll: Duration, interval: Duration, growth: Double = 1.5, maxInterval: Duration = .seconds(10), deadline: Duration = .seconds(600)) {
            self.firstPoll = firstPoll
            self.interval = interval
            self.growth = max(1, growth)
            self.maxInterval = maxInterval
            self.deadline = deadline
        }

        /// A schedule for a model that usually runs `expected`: first poll at 90 % of it, then polls a
        /// tenth of it apart (0.25 s to 10 s), growing by half each time.
        public static func expecting(_ expected: Duration, deadline: Duration = .seconds(600)) -> PollSchedule {
            let tenth = expected / 10
            let interval = min(max(tenth, .milliseconds(250)), .seconds(10))
            return PollSchedule(firstPoll: expected * 0.9, interval: interval, deadline: deadline)
        }
    }

    /// Waits for a request to finish and returns its result.
    ///
    /// - Parameter progress: called with every status read, for a progress display.
    /// - Throws: ``SegmindError/generationFailed(requestID:message:)`` for a FAILED request,
    ///   ``SegmindError/deadlineExceeded(requestID:waitedSeconds:)`` past the deadline, and any error of
    ///   ``status(of:)`` or ``result(of:)``.
    public func waitForResult(
        of request: SubmittedRequest,
        schedule: PollSchedule,
        progress: (@Sendable (RequestStatus) -> Void)? = nil
    ) async throws(SegmindError) -> GenerationResult {
        let clock = TimerClock()
        let start = clock.now
        var wait = schedule.firstPoll
        var interval = schedule.interval
        while true {
            let remaining = schedule.deadline - (clock.now - start)
            guard remaining > .zero else {
                throw .deadlineExceeded(requestID: request.requestID, waitedSeconds: Int((clock.now - start).components.seconds))
            }
            try await Self.sleep(min(wait, remaining))
            let status = try await status(of: request)
            progress?(status)
            switch status.state {
            case .completed:
                return try await result(of: request)
            case .failed:
                throw .generationFailed(requestID: request.requestID, message: errors.key.redacting(status.error ?? ""))
            case .queued, .processing:
                wait = interval
                interval = min(interval * schedule.growth, schedule.maxInterval)
            }
        }
    }
}
