package import Foundation

/// What ``OutboxRetention/plan(_:now:)`` found past its limits in one outbox: job folders, logs and warnings
/// to remove, and empty subpath folders. Paths are relative to the outbox's root (`done/portraits/anna`).
package struct RetentionPlan: Sendable, Equatable {
    /// Which part of the outbox an item is in; the raw value is what the log says.
    package enum Kind: String, Sendable, Hashable {
        case done, failed, cancelled, expanded, log, warning

        init(_ outcome: JobOutcome) {
            switch outcome {
            case .done: self = .done
            case .failed: self = .failed
            case .cancelled: self = .cancelled
            case .expanded: self = .expanded
            }
        }

        /// Whether the item is a job folder, which the journal may not be finished with.
        package var isJobFolder: Bool { self == .done || self == .failed || self == .cancelled }

        /// The record file of a job folder of this kind.
        var recordName: String? {
            switch self {
            case .done: JobOutcome.done.recordName
            case .failed: JobOutcome.failed.recordName
            case .cancelled: JobOutcome.cancelled.recordName
            case .expanded: JobOutcome.expanded.recordName
            case .log, .warning: nil
            }
        }
    }

    /// Which limit an item is past.
    package enum Reason: String, Sendable, Hashable {
        /// Older than `days`.
        case age
        /// Not among the newest `count`.
        case count
    }

    package struct Item: Sendable, Equatable {
        package var kind: Kind
        package var path: String
        /// When it was finished: its age counts from here.
        package var finished: Date
        package var reason: Reason
        /// Subfolders of a job folder that are not its own, left in place when it goes: job folders of the
        /// inbox's subfolder of the same name (`done/x/` is the job `x` and also holds the jobs of `x/`).
        package var keeping: [String]

        package init(kind: Kind, path: String, finished: Date, reason: Reason, keeping: [String] = []) {
            self.kind = kind
            self.path = path
            self.finished = finished
            self.reason = reason
            self.keeping = keeping
        }
    }

    package var expired: [Item] = []
    /// Subpath folders found empty and unchanged for a day (``OutboxRetention/emptyFolderAge``).
    package var emptyFolders: [String] = []

    package init(expired: [Item] = [], emptyFolders: [String] = []) {
        self.expired = expired
        self.emptyFolders = emptyFolders
    }

    package var isEmpty: Bool { expired.isEmpty && emptyFolders.isEmpty }
}
