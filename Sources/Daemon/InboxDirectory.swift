import DaemonConfiguration
import FileSystem
import JobPipeline
import Journal
import Outbox
import StrictJSON
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

    /// Whether the inbox holds a `PAUSE` file: none of its jobs is sent until it is removed. Asked right before
    /// each submit, so a pause counts from the moment the file exists, whatever inotify has reported yet.
    func isPaused(_ name: String) -> Bool {
        guard let inbox = inbox(named: name) else { return false }
        return InboxPause.isPaused(inbox)
    }

    /// The job as the pipeline sees it: the claimed copies are what is read, validated and sent.
    func jobInput(_ record: JobRecord) -> JobInput {
        let root = inbox(named: record.inbox)?.path ?? ""
        let folder = record.subpath.isEmpty ? root : "\(root)/\(record.subpath)"
        let faceName = PathNames.last(record.facePath)
        var input = JobInput(
            name: record.name,
            inbox: record.inbox,
            subpath: record.subpath,
            facePath: record.facePath,
            sidecarPath: record.sidecarPath,
            posePath: record.posePath,
            droppedAt: record.droppedAt,
            readyAt: record.readyAt,
            sourcePath: "\(folder)/\(faceName)",
            claimID: record.claim.claimID
        )
        input.attempt = record.attempt
        input.previousAttempt = record.previousError.flatMap { try? JSONParser().parse(Array($0.utf8)) }
        return input
    }

    func outbox(for name: String) -> OutboxFolders? {
        inbox(named: name).map { OutboxFolders(root: $0.outbox) }
    }
}
