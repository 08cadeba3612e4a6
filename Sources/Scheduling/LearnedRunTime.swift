/// What the poll planner learned about one model at one size of work: the time from submit to completion
/// (an exponential moving average over the jobs that finished here) and how many jobs it has seen.
///
/// The daemon stores these in its journal, so a restart starts from them instead of the catalog's figures.
package struct LearnedRunTime: Sendable, Hashable {
    /// The model's slug.
    package var model: String
    /// The size of the work the estimate is for.
    package var size: WorkSize
    /// The expected time from submit to completion, in the daemon's own time.
    package var runTime: Duration
    /// How many finished jobs the average has seen.
    package var samples: Int

    package init(model: String, size: WorkSize, runTime: Duration, samples: Int) {
        self.model = model
        self.size = size
        self.runTime = runTime
        self.samples = samples
    }
}
