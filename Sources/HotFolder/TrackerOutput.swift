/// What one ``InboxTracker/take(at:wallClock:)`` hands over; both lists have left the tracker.
package struct TrackerOutput: Sendable {
    /// Jobs whose files are all written, oldest drop first.
    package var ready: [ReadyJob]
    /// Files that gave up waiting for the rest of their job, oldest drop first.
    package var orphans: [OrphanFiles]

    package init(ready: [ReadyJob] = [], orphans: [OrphanFiles] = []) {
        self.ready = ready
        self.orphans = orphans
    }

    package var isEmpty: Bool { ready.isEmpty && orphans.isEmpty }
}
