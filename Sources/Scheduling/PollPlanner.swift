package import SegmindCatalog

/// When to poll a submitted job.
///
/// Segmind sends no progress and no webhook for a generation, so the only way to learn that a job is
/// done is to poll — and polls are assumed to count against the account's requests per minute (5 on
/// Free, 50 on Pro), the same budget submits need. Polling every second would spend a Free account's
/// whole minute on one job. So the first poll waits about the model's expected run time (learned from
/// this daemon's own finished jobs, else the catalog's figure), when the job is likely done; if it is
/// not, later polls start at a quarter of the expected time and grow by ``growth`` up to
/// ``maximumInterval``. A job then costs about 2–3 requests (submit, one or two polls, the result)
/// while the lag between completion and detection stays a small fraction of the run time.
///
/// A learned run time counts from the submit, so it includes the wait in Segmind's queue; the catalog's
/// figure does not. Until a model has finished once, its expected time is the catalog's figure plus the
/// queue time learned from any model's finished jobs (Segmind reports `queue_time` with every result):
/// without it the first jobs of every model would be polled a queue's length too early, and found by a
/// back-off poll a quarter of the run time late.
package struct PollPlanner: Sendable {
    /// The catalog's expected run time of each model, unscaled.
    package var expectedRunTimes: [String: Duration]
    /// The run times learned from finished jobs (an exponential moving average), by model.
    package private(set) var learned: [String: Duration]
    /// The time jobs wait in Segmind's queue, learned (an exponential moving average) from finished jobs
    /// of every model; nil until one has finished.
    package private(set) var learnedQueueTime: Duration?
    /// Multiplies the catalog's run times (the emulator's time scale; 1 against Segmind).
    package var runTimeScale: Double
    /// How much each back-off interval grows over the previous one.
    package var growth: Double
    /// No wait is shorter than this.
    package var minimumInterval: Duration
    /// No back-off interval is longer than this (the first poll may be: it waits for the expected run time).
    package var maximumInterval: Duration

    /// The expected run time of a model the catalog does not know, before scaling.
    package static let fallbackRunTime: Duration = .seconds(10)
    /// The weight of a new run time in the moving average: recent jobs count most, one odd job little.
    package static let learningRate = 0.3
    /// The first back-off interval as a share of the expected run time.
    package static let firstBackOffShare = 0.25

    package init(
        expectedRunTimes: [String: Duration],
        learned: [String: Duration] = [:],
        runTimeScale: Double = 1,
        growth: Double = 1.5,
        minimumInterval: Duration = .milliseconds(250),
        maximumInterval: Duration = .seconds(30)
    ) {
        self.expectedRunTimes = expectedRunTimes
        self.learned = learned
        self.runTimeScale = max(runTimeScale, 0)
        self.growth = max(growth, 1)
        self.minimumInterval = max(minimumInterval, .zero)
        self.maximumInterval = max(maximumInterval, self.minimumInterval)
    }

    /// A planner with the catalog's expected run times.
    package init(
        catalog: ModelCatalog,
        learned: [String: Duration] = [:],
        runTimeScale: Double = 1,
        growth: Double = 1.5,
        minimumInterval: Duration = .milliseconds(250),
        maximumInterval: Duration = .seconds(30)
    ) {
        var expected: [String: Duration] = [:]
        for model in catalog.models where model.expectedRunSeconds > 0 {
            expected[model.slug] = .seconds(model.expectedRunSeconds)
        }
        self.init(
            expectedRunTimes: expected,
            learned: learned,
            runTimeScale: runTimeScale,
            growth: growth,
            minimumInterval: minimumInterval,
            maximumInterval: maximumInterval
        )
    }

    /// How long a job of `model` is expected to take from its submit: the learned average if there is one
    /// (it was measured in this daemon's own time), else the catalog's figure × ``runTimeScale`` plus the
    /// learned queue time.
    package func expectedRunTime(model: String) -> Duration {
        if let learned = learned[model] { return learned }
        return (expectedRunTimes[model] ?? Self.fallbackRunTime) * runTimeScale + (learnedQueueTime ?? .zero)
    }

    /// The wait between the submit and the first poll: the expected run time, at least ``minimumInterval``.
    package func firstPoll(model: String) -> Duration {
        max(expectedRunTime(model: model), minimumInterval)
    }

    /// The wait before the next poll, after `pollsSoFar` polls and `elapsed` since the submit.
    ///
    /// - Before the expected run time is up, the rest of it: polling earlier only spends requests.
    ///   This also serves a job resumed after a restart, whose first poll is still to come.
    /// - A job overdue and not yet polled is polled after ``minimumInterval``.
    /// - After the `n`-th poll (n ≥ 1) found it running: a quarter of the expected time × growth^(n−1),
    ///   between ``minimumInterval`` and ``maximumInterval``.
    package func nextPoll(model: String, pollsSoFar: Int, elapsed: Duration) -> Duration {
        let expected = expectedRunTime(model: model)
        if elapsed < expected {
            return max(expected - elapsed, minimumInterval)
        }
        guard pollsSoFar > 0 else { return minimumInterval }
        let steps = min(pollsSoFar - 1, 64)
        var interval = expected * Self.firstBackOffShare
        for _ in 0..<steps where interval < maximumInterval {
            interval = interval * growth
        }
        return min(max(interval, minimumInterval), maximumInterval)
    }

    /// Learns from a finished job how long `model` takes: the time from submit to completion, the
    /// figure that decides when polling pays off, and, when Segmind reported it, how long the job
    /// waited in the queue, which applies to every model. Non-positive run times and negative queue
    /// times are ignored.
    package mutating func learn(model: String, runTime: Duration, queueTime: Duration? = nil) {
        if let queueTime, queueTime >= .zero {
            learnedQueueTime = Self.average(learnedQueueTime, queueTime)
        }
        guard runTime > .zero else { return }
        learned[model] = Self.average(learned[model], runTime)
    }

    private static func average(_ previous: Duration?, _ new: Duration) -> Duration {
        guard let previous else { return new }
        return previous * (1 - learningRate) + new * learningRate
    }
}
