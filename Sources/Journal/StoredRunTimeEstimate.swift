package import Foundation

/// One row of the journal's run time estimates: how long a model took, from submit to completion, for work of
/// one size, as a moving average over the jobs that finished here.
///
/// The journal keeps the figure only; the poll planner decides what it means and how it is averaged.
package struct StoredRunTimeEstimate: Sendable, Equatable {
    /// The model's slug.
    package var model: String
    /// The size of the work as the planner buckets it (a power of two of steps × pixels × images).
    package var sizeBucket: Int
    /// The estimated run time in seconds.
    package var seconds: Double
    /// How many finished jobs the average has seen.
    package var samples: Int
    /// When the estimate last changed.
    package var updatedAt: Date

    package init(model: String, sizeBucket: Int, seconds: Double, samples: Int, updatedAt: Date) {
        self.model = model
        self.sizeBucket = sizeBucket
        self.seconds = seconds
        self.samples = samples
        self.updatedAt = updatedAt
    }
}
