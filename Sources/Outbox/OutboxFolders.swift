public import Foundation
public import SegmindCatalog

/// The layout of one outbox (SPEC §4) and the operations that keep it consistent.
///
/// Job folders are assembled under `.facedrop-staging/` in the outbox (the same filesystem, so the
/// final `rename(2)` is atomic) and appear in `done/` or `failed/` whole.
public struct OutboxFolders: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var staging: String { "\(root)/.facedrop-staging" }
    public var logs: String { "\(root)/logs" }
    public var warnings: String { "\(root)/warnings" }
    public var creditsFile: String { "\(root)/credits.json" }

    /// Creates the outbox's folders if they are missing.
    public func prepare() throws(OutboxError) {
        for folder in [root, "\(root)/done", "\(root)/failed", logs, warnings, staging] {
            try FileSystem.makeDirectories(folder)
        }
    }

    /// A new, empty staging folder for one job.
    public func makeStagingFolder() throws(OutboxError) -> String {
        let path = "\(staging)/\(UUID().uuidString)"
        try FileSystem.makeDirectories(path)
        return path
    }

    /// Writes one alert as `warnings/<UTC yyyyMMdd'T'HHmmss'Z'>-<kind>.json`, adding `-2`, `-3`, … when a
    /// warning of the same kind was written in the same second; returns its path.
    @discardableResult
    public func writeWarning(_ record: JSONValue, kind: String, at time: Date = Date()) throws(OutboxError) -> String {
        try FileSystem.makeDirectories(warnings)
        let stamp = time.formatted(
            Date.ISO8601FormatStyle(dateSeparator: .omitted, dateTimeSeparator: .standard, timeSeparator: .omitted, timeZone: .gmt)
        )
        var path = "\(warnings)/\(stamp)-\(kind).json"
        var suffix = 2
        while FileManager.default.fileExists(atPath: path) {
            path = "\(warnings)/\(stamp)-\(kind)-\(suffix).json"
            suffix += 1
        }
        try AtomicFile.write(record.serialized(pretty: true) + [0x0A], to: path)
        return path
    }

    /// Removes what a crash can leave behind: half-assembled job folders under the staging folder and the
    /// temporary files of interrupted atomic writes (`.<name>.<uuid>.tmp`) at the top and in `warnings/`.
    /// Returns the paths removed. Run at start, before any job is delivered.
    @discardableResult
    public func sweepLeftovers() -> [String] {
        let files = FileManager.default
        var removed: [String] = []
        for entry in (try? files.contentsOfDirectory(atPath: staging)) ?? [] {
            if (try? files.removeItem(atPath: "\(staging)/\(entry)")) != nil { removed.append("\(staging)/\(entry)") }
        }
        for folder in [root, warnings] {
            for entry in (try? files.contentsOfDirectory(atPath: folder)) ?? []
            where entry.hasPrefix(".") && entry.hasSuffix(".tmp") {
                if (try? files.removeItem(atPath: "\(folder)/\(entry)")) != nil { removed.append("\(folder)/\(entry)") }
            }
        }
        return removed
    }

    /// Moves a finished staging folder to `done/<subpath>/<job>` or `failed/<subpath>/<job>`, adding
    /// `_2`, `_3`, … when the name is taken. Returns the final path.
    public func publish(staged: String, outcome: JobOutcome, subpath: String, job: String) throws(OutboxError) -> String {
        let parent = subpath.isEmpty ? "\(root)/\(outcome.rawValue)" : "\(root)/\(outcome.rawValue)/\(subpath)"
        try FileSystem.makeDirectories(parent)
        for attempt in 1...10_000 {
            let name = attempt == 1 ? job : "\(job)_\(attempt)"
            if try FileSystem.renameIfAbsent(staged, to: "\(parent)/\(name)") {
                try FileSystem.syncDirectory(parent)
                return "\(parent)/\(name)"
            }
        }
        throw .noFreeName(job)
    }

    /// Appends one event to today's JSONL log (`logs/facedrop-YYYY-MM-DD.jsonl`, UTC).
    public func log(_ event: [String: JSONValue], at time: Date = Date()) throws(OutboxError) {
        var record = event
        record["time"] = .string(time.formatted(.iso8601))
        let day = time.formatted(.iso8601.year().month().day())
        try FileSystem.makeDirectories(logs)
        try FileSystem.appendLine(JSONValue.object(record).serialized() + [0x0A], to: "\(logs)/facedrop-\(day).jsonl")
    }
}

/// Which side of the outbox a job lands on.
public enum JobOutcome: String, Sendable, Hashable {
    case done
    case failed
}
