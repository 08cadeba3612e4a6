/// A model's run time estimate for one size bucket as the poll planner just learned it, to store with the write that
/// records the job it was learned from (``JobJournal/recordSpooled(_:spoolPath:outputs:completedAt:booking:estimate:)``).
///
/// Stored in that transaction rather than in a write of its own, it costs the job no extra journal commit and no
/// extra hand-over to the journal's thread.
package struct RunTimeEstimateUpdate: Sendable, Equatable {
    /// The model's slug.
    package var model: String
    /// The size of the work as the planner buckets it (a power of two of steps × pixels × images).
    package var sizeBucket: Int
    /// The estimated run time in seconds.
    package var seconds: Double
    /// How many finished jobs the average has seen.
    package var samples: Int

    package init(model: String, sizeBucket: Int, seconds: Double, samples: Int) {
        self.model = model
        self.sizeBucket = sizeBucket
        self.seconds = seconds
        self.samples = samples
    }
}
