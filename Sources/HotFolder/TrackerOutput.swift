/// What one ``InboxTracker/take(at:wallClock:)`` hands over; every list has left the tracker.
package struct TrackerOutput: Sendable {
    /// Jobs whose files are all written, oldest drop first.
    package var ready: [ReadyJob]
    /// Files that gave up waiting for the rest of their job, oldest drop first.
    package var orphans: [OrphanFiles]
    /// Batch tickets written whole; the faces they name are still in their folder.
    package var tickets: [ReadyTicket]

    package init(ready: [ReadyJob] = [], orphans: [OrphanFiles] = [], tickets: [ReadyTicket] = []) {
        self.ready = ready
        self.orphans = orphans
        self.tickets = tickets
    }

    package var isEmpty: Bool { ready.isEmpty && orphans.isEmpty && tickets.isEmpty }
}
