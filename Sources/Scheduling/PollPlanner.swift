package import SegmindCatalog

/// When to poll a submitted job.
///
/// Segmind sends no progress and no webhook for a generation, so the only way to learn that a job is
/// done is to poll — and polls are assumed to count against the account's requests per minute (5 on
/// Free, 50 on Pro), the same budget submits need. Polling every second would spend a Free account's
/// whole minute on one job; polling once at the catalog's figure finds a job that really takes a tenth
/// of it ten run times late. So the plan depends on how much the planner knows about the job's model at
/// the job's size of work (``WorkSize``):
///
/// - **Measured** (a job of this model and size finished here): the first poll comes at the learned run
///   time, when the job is due. If it is still running, the next polls come a twentieth of that time
///   later plus half the overrun so far: a late job is found a small share of its run time late, and one
///   far off its figure still costs few polls.
/// - **Scaled** (the model finished here, at another size): the nearest size's estimate × the ratio of the
///   work; the first poll comes at half of it, then the polls probe (below).
/// - **Catalog** (the model never finished here): the catalog's figure × ``runTimeScale`` plus the queue time
///   learned from any model, scaled by the ratio of the work to the catalog's default size. A catalog can
///   be off tenfold either way, so the first poll comes at ``catalogProbeShare`` of the figure, and every
///   next one at ``probeGrowth`` × the time since the submit: the job is found at most 35 % of its run
///   time late, whatever it really takes, in a dozen polls or so — spent only until one job of the model
///   has finished, after which it is measured. Only one job of the model probes that early, the *scout*
///   (the daemon picks the earliest submitted; see `scouting` in ``dueElapsed(model:size:lastPoll:scouting:)``):
///   a burst of jobs all probing would queue their probes behind one another in the request budget, and
///   every one of them is planned again the moment the scout finishes. The others first poll at the
///   catalog's figure, then each at ``waitingGrowth`` × the time since the submit.
///
/// Learning goes by model and size; a job that finishes changes the estimate of the jobs of its model that
/// are still waiting, which the daemon plans again (``dueElapsed(model:size:lastPoll:scouting:)`` is a function of the
/// estimate and the last poll alone, so planning again is asking again).
///
/// A learned run time counts from the submit, so it includes the wait in Segmind's queue; the catalog's
/// figure does not, hence the learned queue time added to it (Segmind reports `queue_time` with every result).
package struct PollPlanner: Sendable {
    /// Where an estimate comes from: it decides how early the first poll probes.
    package enum Basis: Sendable, Equatable {
        /// Jobs of this model and size finished here.
        case measured
        /// Jobs of this model finished here at another size; the estimate is scaled by the work.
        case scaled
        /// No job of this model finished here: the catalog's figure.
        case catalog
    }

    /// An expected run time and where it comes from.
    package struct Estimate: Sendable, Equatable {
        /// The expected time from submit to completion.
        package var runTime: Duration
        /// Where it comes from.
        package var basis: Basis

        package init(runTime: Duration, basis: Basis) {
            self.runTime = runTime
            self.basis = basis
        }
    }

    /// The catalog's expected run time of each model, unscaled.
    package var expectedRunTimes: [String: Duration]
    /// The size of work the catalog's figure is for (the defaults of each model's parameters).
    package var catalogSizes: [String: WorkSize]
    /// The run times learned from finished jobs, by model and size.
    package private(set) var learned: [String: [WorkSize: LearnedRunTime]]
    /// The time jobs wait in Segmind's queue, learned (an exponential moving average) from finished jobs
    /// of every model; nil until one has finished.
    package private(set) var learnedQueueTime: Duration?
    /// Multiplies the catalog's run times (the emulator's time scale; 1 against Segmind).
    package var runTimeScale: Double
    /// No wait is shorter than this.
    package var minimumInterval: Duration
    /// No wait after a poll is longer than this (the first poll may be: it waits for the expected run time).
    package var maximumInterval: Duration

    /// The expected run time of a model the catalog does not know, before scaling.
    package static let fallbackRunTime: Duration = .seconds(10)
    /// The weight of a new run time in the moving average: recent jobs count most, one odd job little.
    package static let learningRate = 0.3
    /// The first poll of a model that never finished here, as a share of the catalog's figure.
    package static let catalogProbeShare = 0.05
    /// The first poll of a size that never finished here, as a share of the estimate scaled from another size.
    package static let scaledProbeShare = 0.5
    /// While probing, each poll comes at this multiple of the time since the submit of the one before.
    package static let probeGrowth = 1.35
    /// The same for a model's jobs other than its scout, once the catalog's figure has passed: they are planned
    /// again when the scout finishes, so their own polls are only a bound (a lag of at most their run time) for a
    /// scout that does not finish first, and should spend little of the request budget the scout needs.
    package static let waitingGrowth = 2.0
    /// After a measured run time is up, the first wait as a share of it.
    package static let backOffShare = 0.05
    /// After a measured run time is up, the share of the overrun so far added to each wait.
    package static let overrunShare = 0.5

    package init(
        expectedRunTimes: [String: Duration],
        catalogSizes: [String: WorkSize] = [:],
        learned: [LearnedRunTime] = [],
        runTimeScale: Double = 1,
        minimumInterval: Duration = .milliseconds(250),
        maximumInterval: Duration = .seconds(30)
    ) {
        self.expectedRunTimes = expectedRunTimes
        self.catalogSizes = catalogSizes
        self.learned = [:]
        self.runTimeScale = max(runTimeScale, 0)
        self.minimumInterval = max(minimumInterval, .zero)
        self.maximumInterval = max(maximumInterval, self.minimumInterval)
        for estimate in learned where estimate.runTime > .zero {
            self.learned[estimate.model, default: [:]][estimate.size] = estimate
        }
    }

    /// A planner with the catalog's expected run times and default sizes.
    package init(
        catalog: ModelCatalog,
        learned: [LearnedRunTime] = [],
        runTimeScale: Double = 1,
        minimumInterval: Duration = .milliseconds(250),
        maximumInterval: Duration = .seconds(30)
    ) {
        var expected: [String: Duration] = [:]
        var sizes: [String: WorkSize] = [:]
        for model in catalog.models {
            sizes[model.slug] = WorkSize(model: model, parameters: [:])
            if model.expectedRunSeconds > 0 { expected[model.slug] = .seconds(model.expectedRunSeconds) }
        }
        self.init(
            expectedRunTimes: expected,
            catalogSizes: sizes,
            learned: learned,
            runTimeScale: runTimeScale,
            minimumInterval: minimumInterval,
            maximumInterval: maximumInterval
        )
    }

    /// Every learned estimate, by model and size: what the daemon stores.
    package var learnedRunTimes: [LearnedRunTime] {
        learned.values.flatMap(\.values).sorted { ($0.model, $0.size) < ($1.model, $1.size) }
    }

    /// Whether a job of `model` has finished here, at any size.
    package func hasFinished(model: String) -> Bool {
        !(learned[model] ?? [:]).isEmpty
    }

    /// How long a job of `model` with work of `size` is expected to take from its submit, and why.
    package func estimate(model: String, size: WorkSize) -> Estimate {
        let sizes = learned[model] ?? [:]
        if let exact = sizes[size] {
            return Estimate(runTime: exact.runTime, basis: .measured)
        }
        // The nearest size that finished; between two as near, the smaller (its scaled figure is the larger).
        if let nearest = sizes.values.min(by: { (abs($0.size.bucket - size.bucket), $0.size) < (abs($1.size.bucket - size.bucket), $1.size) }) {
            return Estimate(runTime: nearest.runTime * size.ratio(to: nearest.size), basis: .scaled)
        }
        let ratio = catalogSizes[model].map { size.ratio(to: $0) } ?? 1
        let catalog = (expectedRunTimes[model] ?? Self.fallbackRunTime) * (runTimeScale * ratio)
        return Estimate(runTime: catalog + (learnedQueueTime ?? .zero), basis: .catalog)
    }

    /// The time from the submit at which to poll a job next.
    ///
    /// - Parameter lastPoll: the time from the submit at which the last poll found the job running; nil when it
    ///   has not been polled (or the daemon does not know when: a job resumed after a restart).
    /// - Returns: before the first poll's time, that time; after a poll past it, that poll plus a wait between
    ///   ``minimumInterval`` and ``maximumInterval`` (see the type's description). A time already past means
    ///   "poll now".
    /// - Parameter scouting: whether this job is its model's scout, the one job that probes early while the model
    ///   has never finished here; the others wait for the catalog's figure first. Ignored once the model finished.
    package func dueElapsed(model: String, size: WorkSize, lastPoll: Duration?, scouting: Bool = true) -> Duration {
        let estimate = estimate(model: model, size: size)
        let share =
            switch estimate.basis {
            case .measured: 1.0
            case .scaled: Self.scaledProbeShare
            case .catalog: scouting ? Self.catalogProbeShare : 1.0
            }
        let first = max(estimate.runTime * share, minimumInterval)
        guard let lastPoll, lastPoll >= first else { return first }
        let wait =
            switch estimate.basis {
            case .measured: estimate.runTime * Self.backOffShare + (lastPoll - estimate.runTime) * Self.overrunShare
            case .scaled: lastPoll * (Self.probeGrowth - 1)
            case .catalog: lastPoll * ((scouting ? Self.probeGrowth : Self.waitingGrowth) - 1)
            }
        return lastPoll + min(max(wait, minimumInterval), maximumInterval)
    }

    /// The wait between the submit and the first poll.
    package func firstPoll(model: String, size: WorkSize, scouting: Bool = true) -> Duration {
        dueElapsed(model: model, size: size, lastPoll: nil, scouting: scouting)
    }

    /// Learns from a finished job how long `model` takes at `size`: the time from submit to completion, the
    /// figure that decides when polling pays off, and, when Segmind reported it, how long the job waited in the
    /// queue, which applies to every model. Non-positive run times and negative queue times are ignored.
    ///
    /// - Returns: the new estimate for the model and size, to be stored; nil when the run time was ignored.
    @discardableResult
    package mutating func learn(model: String, size: WorkSize, runTime: Duration, queueTime: Duration? = nil) -> LearnedRunTime? {
        if let queueTime, queueTime >= .zero {
            learnedQueueTime = Self.average(learnedQueueTime, queueTime)
        }
        guard runTime > .zero else { return nil }
        let previous = learned[model]?[size]
        let estimate = LearnedRunTime(
            model: model,
            size: size,
            runTime: Self.average(previous?.runTime, runTime),
            samples: (previous?.samples ?? 0) + 1
        )
        learned[model, default: [:]][size] = estimate
        return estimate
    }

    private static func average(_ previous: Duration?, _ new: Duration) -> Duration {
        guard let previous else { return new }
        return previous * (1 - learningRate) + new * learningRate
    }
}
