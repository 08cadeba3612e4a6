/// What one ``InboxTracker/take(at:wallClock:)`` hands over; both lists have left the tracker.
public struct TrackerOutput: Sendable {
    /// Jobs whose files are all written, oldest drop first.
    public var ready: [ReadyJob]
    /// Files that gave up waiting for the rest of their job, oldest drop first.
    public var orphans: [OrphanFiles]

    public init(ready: [ReadyJob] = [], orphans: [OrphanFiles] = []) {
        self.ready = ready
        self.orphans = orphans
    }

    public var isEmpty: Bool { ready.isEmpty && orphans.isEmpty }
}
