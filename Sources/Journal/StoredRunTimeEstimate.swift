package import Foundation

/// One row of the journal's run time estimates: the estimate, and when it last changed (the journal's clock).
///
/// The journal keeps the figure only; the poll planner decides what it means and how it is averaged.
package struct StoredRunTimeEstimate: Sendable, Equatable {
    package var estimate: RunTimeEstimate
    /// When the estimate last changed.
    package var updatedAt: Date

    package init(_ estimate: RunTimeEstimate, updatedAt: Date) {
        self.estimate = estimate
        self.updatedAt = updatedAt
    }
}
