import DaemonConfiguration
import JobPipeline
import Outbox
import Synchronization

/// The inboxes of the configuration now in force, shared by the intake and the jobs and swapped on reload.
///
/// A job keeps running with the settings of its inbox as they are when each step starts; an inbox removed by
/// a reload still finishes its claimed jobs with its last known settings.
final class InboxDirectory: Sendable {
    private let inboxes: Mutex<[String: InboxConfiguration]>
    let maxImageBytes: Int
    let jobDeadline: Mutex<Duration>
    /// How many inboxes the configuration in force names (removed ones finishing their jobs not counted).
    private let configured: Mutex<Int>

    init(_ configuration: DaemonConfiguration, maxImageBytes: Int = 20 << 20) {
        inboxes = Mutex(Dictionary(configuration.inboxes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }))
        jobDeadline = Mutex(configuration.api.jobDeadline)
        configured = Mutex(configuration.inboxes.count)
        self.maxImageBytes = maxImageBytes
    }

    func update(_ configuration: DaemonConfiguration) {
        inboxes.withLock { inboxes in
            for inbox in configuration.inboxes { inboxes[inbox.name] = inbox }
        }
        jobDeadline.withLock { $0 = configuration.api.jobDeadline }
        configured.withLock { $0 = configuration.inboxes.count }
    }

    var count: Int { configured.withLock { $0 } }

    func inbox(named name: String) -> InboxConfiguration? {
        inboxes.withLock { $0[name] }
    }

    func settings(for name: String) -> JobSettings {
        let inbox = inbox(named: name)
        return JobSettings(
            defaultModel: inbox?.model,
            defaults: inbox?.defaults ?? [:],
            maxImageBytes: maxImageBytes,
            deadline: jobDeadline.withLock { $0 }
        )
    }

    func outbox(for name: String) -> OutboxFolders? {
        inbox(named: name).map { OutboxFolders(root: $0.outbox) }
    }
}
