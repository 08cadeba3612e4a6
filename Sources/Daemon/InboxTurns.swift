import DaemonConfiguration
import Scheduling

/// How one inbox takes part in the fair share: its weight, and whether its subfolders take turns among
/// themselves.
struct InboxTurns: Sendable, Hashable {
    var weight: Int
    var bySubfolder: Bool

    /// Each configured inbox's turns, by name.
    static func of(_ inboxes: [InboxConfiguration]) -> [String: InboxTurns] {
        Dictionary(
            inboxes.map { ($0.name, InboxTurns(weight: $0.weight, bySubfolder: $0.fairShare == .subfolder)) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// The queue a job of `inbox` in `topFolder` joins; an inbox no longer configured is one queue of weight 1.
    static func share(inbox: String, topFolder: String, in turns: [String: InboxTurns]) -> QueueShare {
        turns[inbox]?.bySubfolder == true ? QueueShare(inbox: inbox, subfolder: topFolder) : QueueShare(inbox: inbox)
    }
}
