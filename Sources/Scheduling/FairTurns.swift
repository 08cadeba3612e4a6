/// Whose turn it is: weighted fair queueing between the inboxes with jobs waiting, and, inside an inbox that
/// shares by subfolder, round-robin between its subfolders.
///
/// Each inbox keeps a virtual time, the turns it has taken divided by its weight; the waiting inbox with the
/// least virtual time goes next, so over any stretch of busy time the inboxes take turns in proportion to their
/// weights, however many jobs each holds. Subfolders of one inbox do the same with equal weights. A share that
/// starts waiting after an idle spell starts just below the least virtual time of those already waiting
/// (start-time fair queueing): it goes next at once, and an hour of idleness does not earn an hour of turns in a
/// row.
package struct FairTurns: Sendable {
    private var inboxTime: [String: Double] = [:]
    private var subfolderTime: [QueueShare: Double] = [:]
    private var waitingInboxes: Set<String> = []
    private var waitingShares: Set<QueueShare> = []

    package init() {}

    /// The share whose turn it is among `waiting`, or nil when nothing waits. Call ``charge(_:weight:)`` when the
    /// turn is taken.
    package mutating func next(among waiting: some Sequence<QueueShare>) -> QueueShare? {
        let shares = Set(waiting)
        arrive(shares)
        let inboxes = Set(shares.map(\.inbox))
        guard let inbox = inboxes.min(by: { (inboxTime[$0] ?? 0, $0) < (inboxTime[$1] ?? 0, $1) }) else { return nil }
        return shares.filter { $0.inbox == inbox }.min {
            (subfolderTime[$0] ?? 0, $0.subfolder ?? "") < (subfolderTime[$1] ?? 0, $1.subfolder ?? "")
        }
    }

    /// Charges one turn to `share`, whose inbox has `weight`.
    package mutating func charge(_ share: QueueShare, weight: Int) {
        inboxTime[share.inbox, default: 0] += 1 / Double(max(1, weight))
        subfolderTime[share, default: 0] += 1
    }

    /// Shares that were not waiting at the last call start at the least virtual time of those that were; shares
    /// that no longer wait are forgotten, so the tables stay as small as the queue.
    private mutating func arrive(_ shares: Set<QueueShare>) {
        let inboxes = Set(shares.map(\.inbox))
        // Just below the least: a newcomer goes before the queues already waiting, then takes turns with them.
        let floor = (waitingInboxes.intersection(inboxes).compactMap { inboxTime[$0] }.min() ?? 0).nextDown
        inboxTime = inboxTime.filter { inboxes.contains($0.key) && waitingInboxes.contains($0.key) }
        for inbox in inboxes where inboxTime[inbox] == nil {
            inboxTime[inbox] = floor
        }
        var times: [QueueShare: Double] = [:]
        for inbox in inboxes {
            let siblings = shares.filter { $0.inbox == inbox }
            let kept = siblings.intersection(waitingShares)
            let siblingFloor = (kept.compactMap { subfolderTime[$0] }.min() ?? 0).nextDown
            for share in siblings {
                times[share] = kept.contains(share) ? subfolderTime[share] ?? siblingFloor : siblingFloor
            }
        }
        subfolderTime = times
        waitingInboxes = inboxes
        waitingShares = shares
    }
}
