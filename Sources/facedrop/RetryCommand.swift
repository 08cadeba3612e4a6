import ArgumentParser
import Daemon
import DaemonConfiguration
import Journal
import StrictJSON

/// `facedrop retry`: queues failed or cancelled jobs again (see `JobRetry`).
struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue failed or cancelled jobs again, from their own input/, as a new attempt.",
        discussion: """
            Moves each job's folder from failed/ (or cancelled/) into the outbox's retry/ folder; the daemon puts its \
            files back into the inbox and the new attempt's result.json keeps the earlier error. Moving a folder into \
            retry/ by hand does the same. A job whose outcome is unknown (outcome_unknown: its submit may have been \
            billed) is only retried with --may-pay-twice. Exit status 0 when every job was queued, 1 when some were not.
            """
    )

    @Option(help: "The configuration file.")
    var config = "/etc/facedrop/facedrop.toml"

    @Option(help: "Retry every failed job with this error code whose folder is still in failed/.")
    var code: String?

    @Flag(help: "Allow retrying outcome_unknown jobs, which may pay for the generation twice.")
    var mayPayTwice = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Argument(help: "Jobs by ID (42 or #42), by name (the dropped file's stem) or by subfolder/name.")
    var jobs: [String] = []

    func validate() throws {
        if jobs.isEmpty == (code == nil) { throw ValidationError("name jobs, or give --code (one of them)") }
    }

    func run() throws {
        let configuration = try DaemonConfiguration.loadForCommand(config)
        let outcomes: [JobRetry.Outcome]
        do {
            outcomes = try JobRetry(configuration: configuration).retry(code.map { .code($0) } ?? .jobs(jobs), mayPayTwice: mayPayTwice)
        } catch {
            print("facedrop: \(error)")
            throw ExitStatus.unavailable
        }
        let queued = outcomes.filter { if case .queued = $0 { true } else { false } }.count
        if json {
            print(JSONValue.object(["jobs": .array(outcomes.map(Self.json)), "queued": .integer(Int64(queued))]).serializedString())
        } else {
            for outcome in outcomes { print(Self.line(outcome)) }
            if outcomes.isEmpty { print("no job to retry") }
        }
        if queued < outcomes.count { throw ExitStatus.jobFailed }
    }

    private static func line(_ outcome: JobRetry.Outcome) -> String {
        switch outcome {
        case .queued(let record, let folder): "queued    \(label(record)): moved to \(folder); the daemon sends it again"
        case .mayPayTwice(let record):
            "kept      \(label(record)): its submit may have been billed (outcome_unknown); retry it with --may-pay-twice if paying twice is acceptable"
        case .notEnded(let record): "kept      \(label(record)): not failed or cancelled (\(record.state))"
        case .alreadyRetried(let record): "kept      \(label(record)): retried already"
        case .folderGone(let record): "kept      \(label(record)): its folder is no longer at \(record.resultFolder ?? "?")"
        case .failedToMove(let record, let reason): "kept      \(label(record)): its folder could not be moved: \(reason)"
        case .notFound(let reference): "unknown   \(reference): no such job in the journal"
        }
    }

    private static func label(_ record: JobRecord) -> String {
        let name = record.subpath.isEmpty ? record.name : "\(record.subpath)/\(record.name)"
        return "\(name) (#\(record.id), \(record.errorCode ?? record.state.rawValue))"
    }

    private static func json(_ outcome: JobRetry.Outcome) -> JSONValue {
        switch outcome {
        case .queued(let record, let folder): entry(record, "queued", folder: folder)
        case .mayPayTwice(let record): entry(record, "may_pay_twice")
        case .notEnded(let record): entry(record, "not_ended")
        case .alreadyRetried(let record): entry(record, "already_retried")
        case .folderGone(let record): entry(record, "folder_gone")
        case .failedToMove(let record, _): entry(record, "not_moved")
        case .notFound(let reference): ["reference": .string(reference), "outcome": "not_found"]
        }
    }

    private static func entry(_ record: JobRecord, _ outcome: String, folder: String? = nil) -> JSONValue {
        [
            "id": .integer(record.id), "job": .string(record.name), "inbox": .string(record.inbox), "code": record.errorCode.map(JSONValue.string) ?? .null,
            "outcome": .string(outcome), "folder": folder.map(JSONValue.string) ?? .null,
        ]
    }
}
