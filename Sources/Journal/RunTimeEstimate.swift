/// A model's run time estimate for one size bucket: what the poll planner learned from the jobs that finished here.
///
/// The planner's figure goes into the write that records the job it was learned from
/// (``JobJournal/recordSpooled(_:spoolPath:outputs:completedAt:booking:estimate:)``), which costs the job no extra
/// journal commit and no extra hand-over to the journal's thread; it comes back, with when it last changed, as a
/// ``StoredRunTimeEstimate``.
package struct RunTimeEstimate: Sendable, Equatable {
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
