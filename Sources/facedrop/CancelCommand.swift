import ArgumentParser
import Daemon
import DaemonConfiguration
import Foundation
import Journal
import StrictJSON

/// `facedrop cancel`: takes back jobs not yet sent to Segmind (see `JobCancellation`).
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Take back jobs not yet sent to Segmind; their files go to the outbox's cancelled/ folder.",
        discussion: """
            A job already submitted cannot be cancelled: Segmind has no cancel, so it runs, is billed and is \
            delivered as usual; the command says so for each. Exit status 0 when every named job was cancelled, 1 \
            when some could not be.
            """
    )

    @Option(help: "The configuration file.")
    var config = "/etc/facedrop/facedrop.toml"

    @Option(help: "Cancel every job of this inbox not yet sent.")
    var inbox: String?

    @Flag(help: "Cancel every job not yet sent, in every inbox.")
    var allPending = false

    @Option(help: "Why, written into each job's cancelled.json.")
    var reason: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Argument(help: "Jobs by ID (42 or #42), by name (the dropped file's stem) or by subfolder/name.")
    var jobs: [String] = []

    func validate() throws {
        let ways = [!jobs.isEmpty, inbox != nil, allPending].filter(\.self).count
        if ways != 1 { throw ValidationError("name jobs, or give --inbox or --all-pending (one of them)") }
    }

    func run() async throws {
        let configuration = try DaemonConfiguration.loadForCommand(config)
        let selection: JobCancellation.Selection
        if let inbox {
            selection = .inbox(try configuration.inbox(named: inbox).name)
        } else if allPending {
            selection = .allPending
        } else {
            selection = .jobs(jobs)
        }
        let result: (outcomes: [JobCancellation.Outcome], daemonAsked: Bool)
        do {
            result = try await JobCancellation(configuration: configuration).cancel(selection, requestedBy: ProcessInfo.processInfo.userName, reason: reason)
        } catch {
            print("facedrop: \(error)")
            throw ExitStatus.unavailable
        }
        let cancelled = result.outcomes.filter { if case .cancelled = $0 { true } else { false } }.count
        if json {
            print(JSONValue.object(["jobs": .array(result.outcomes.map(Self.json)), "cancelled": .integer(Int64(cancelled))]).serializedString())
        } else {
            for outcome in result.outcomes { print(Self.line(outcome)) }
            if cancelled > 0 {
                print(
                    result.daemonAsked
                        ? "the files of \(cancelled) cancelled job(s) go to each outbox's cancelled/ folder now"
                        : "the files of \(cancelled) cancelled job(s) go to each outbox's cancelled/ folder when facedrop next starts"
                )
            } else if result.outcomes.isEmpty {
                print("no job waiting to be sent")
            }
        }
        if case .jobs = selection, cancelled < result.outcomes.count { throw ExitStatus.jobFailed }
    }

    private static func line(_ outcome: JobCancellation.Outcome) -> String {
        switch outcome {
        case .cancelled(let record):
            "cancelled \(label(record)): it was not sent, nothing was billed"
        case .alreadySent(let record) where record.state == .submitting:
            "kept      \(label(record)): its submit may already be at Segmind, which has no cancel"
        case .alreadySent(let record):
            "kept      \(label(record)): already submitted to Segmind (request \(record.requestID ?? "?")), which has no cancel; it finishes, is billed and delivered"
        case .alreadyEnded(let record):
            "kept      \(label(record)): already \(record.state)"
        case .notFound(let reference):
            "unknown   \(reference): no such job in the journal"
        }
    }

    private static func label(_ record: JobRecord) -> String {
        let name = record.subpath.isEmpty ? record.name : "\(record.subpath)/\(record.name)"
        return "\(name) (#\(record.id), inbox \(record.inbox))"
    }

    private static func json(_ outcome: JobCancellation.Outcome) -> JSONValue {
        switch outcome {
        case .cancelled(let record): entry(record, outcome: "cancelled")
        case .alreadySent(let record): entry(record, outcome: "already_sent")
        case .alreadyEnded(let record): entry(record, outcome: "already_ended")
        case .notFound(let reference): ["reference": .string(reference), "outcome": "not_found"]
        }
    }

    private static func entry(_ record: JobRecord, outcome: String) -> JSONValue {
        [
            "id": .integer(record.id), "job": .string(record.name), "subpath": .string(record.subpath), "inbox": .string(record.inbox),
            "state": .string(record.state.rawValue), "request_id": record.requestID.map(JSONValue.string) ?? .null, "outcome": .string(outcome),
        ]
    }
}
