package import DaemonConfiguration
import FileSystem
import Foundation
import Journal
import Outbox
import SegmindCatalog
package import StrictJSON

/// `facedrop status`: jobs by state, requests in flight and the credit state, read from the journal and the
/// outboxes (the journal is in WAL mode, so reading it beside a running daemon is safe).
package struct StatusReport: Sendable {
    package var counts: [String: Int]
    package var inFlight: [JSONValue]
    package var credits: JSONValue
    package var daemonRunning: Bool
    /// Where the daemon sends its requests: `emulator` for the built-in one, else the base URL.
    package var segmind: String
    /// The built-in emulator: results are synthetic pictures and nothing is billed.
    package var emulated: Bool
    /// Spend and budget left per inbox and for the service, today and this month (UTC).
    package var spend: JSONValue = .null
    /// Hooks due and not finished yet (a webhook still retried, say, or hooks a stopped daemon runs at its start).
    package var hooksPending = 0
    /// The inboxes paused by a `PAUSE` file: their jobs wait, unsent.
    package var paused: [String] = []
    /// The hosts of each shared inbox, with their leases and claims (see ``hosts(_:owner:)``).
    package var hosts: JSONValue = .object([:])

    /// Reads the state of the daemon that `configuration` describes.
    package static func read(_ configuration: DaemonConfiguration) throws(DaemonError) -> StatusReport {
        let state = StateFolders(root: configuration.state.directory)
        let journal: JobJournal
        do {
            journal = try JobJournal(stateDirectory: state.root)
        } catch {
            throw .journal("\(error)")
        }
        do {
            let counts = try journal.countsByState()
            let flying = try journal.inFlight().map { record -> JSONValue in
                [
                    "job": .string(record.subpath.isEmpty ? record.name : "\(record.subpath)/\(record.name)"),
                    "inbox": .string(record.inbox),
                    "state": .string(record.state.rawValue),
                    "model": record.model.map(JSONValue.string) ?? .null,
                    "request_id": record.requestID.map(JSONValue.string) ?? .null,
                    "polls": .integer(Int64(record.polls)),
                    "submitted_at": record.submittedAt.map { .string($0.formatted(.iso8601)) } ?? .null,
                ]
            }
            var credits: JSONValue = .null
            for inbox in configuration.inboxes {
                let file = OutboxFolders(root: inbox.outbox).creditsFile
                if let bytes = try? InputFile.read(file, maxBytes: 64 << 10), let value = try? JSONParser().parse(bytes) {
                    credits = value
                    break
                }
            }
            let running = InstanceLock.isHeld(at: state.lock)
            let now = Date()
            let spend = Self.spend(try journal.spendTotals(at: now), configuration: configuration, at: now)
            let hooksPending = try journal.unfinishedHookCount()
            try? journal.close()
            return StatusReport(
                counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                inFlight: flying,
                credits: credits,
                daemonRunning: running,
                segmind: configuration.api.baseURL.description,
                emulated: configuration.api.baseURL == .emulator,
                spend: spend,
                hooksPending: hooksPending,
                paused: configuration.inboxes.filter(InboxPause.isPaused).map(\.name),
                hosts: hosts(configuration, owner: "\(Files.hostName()):\(state.root)")
            )
        } catch {
            throw .journal("\(error)")
        }
    }

    package var json: JSONValue {
        [
            "daemon": .string(daemonRunning ? "running" : "stopped"),
            "jobs": .object(counts.mapValues { .integer(Int64($0)) }),
            "in_flight": .array(inFlight),
            "credits": credits,
            "segmind": ["base_url": .string(segmind), "emulated": .bool(emulated)],
            "spend": spend,
            "hooks": ["pending": .integer(Int64(hooksPending))],
            "paused": .array(paused.map(JSONValue.string)),
            "hosts": hosts,
        ]
    }

    /// A short text for people.
    package var text: String {
        var lines = ["facedrop is \(daemonRunning ? "running" : "not running")"]
        lines.append(
            emulated
                ? "segmind: the built-in emulator (EMULATED: outputs are synthetic test pictures, nothing is billed)"
                : "segmind: \(segmind)"
        )
        let order = [
            "claimed", "waitingForCredits", "waitingForBudget", "submitting", "submitted", "spooled", "delivered", "done", "failed", "cancelled", "takenOver",
        ]
        lines.append("jobs: " + order.map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", "))
        if !paused.isEmpty {
            lines.append("paused (PAUSE file; jobs wait unsent): " + paused.joined(separator: ", "))
        }
        lines.append("in flight: \(inFlight.count)")
        for job in inFlight {
            lines.append(
                "  \(job["job"]?.stringValue ?? "?") [\(job["model"]?.stringValue ?? "?")] \(job["state"]?.stringValue ?? "") request \(job["request_id"]?.stringValue ?? "-"), \(job["polls"]?.doubleValue.map { Int($0) } ?? 0) polls"
            )
        }
        if let state = credits["state"]?.stringValue {
            let remaining = credits["remaining"]?.doubleValue.map { String(format: "%.2f", $0) } ?? "unknown"
            lines.append("credits: \(remaining) (\(state))")
        } else {
            lines.append("credits: unknown")
        }
        lines += spendLines
        if hooksPending > 0 { lines.append("hooks: \(hooksPending) pending") }
        lines += hostLines
        return lines.joined(separator: "\n")
    }
}
