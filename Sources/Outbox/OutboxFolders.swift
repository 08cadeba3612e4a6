package import Foundation
package import StrictJSON

/// The layout of one outbox (docs/protocol.md §4) and the operations that keep it consistent.
///
/// Job folders are assembled under `.facedrop-staging/` in the outbox (the same filesystem, so the
/// final `rename(2)` is atomic) and appear in `done/` or `failed/` whole.
package struct OutboxFolders: Sendable {
    package let root: String

    package init(root: String) {
        self.root = root
    }

    package var staging: String { "\(root)/.facedrop-staging" }
    package var logs: String { "\(root)/logs" }
    package var warnings: String { "\(root)/warnings" }
    package var creditsFile: String { "\(root)/credits.json" }

    /// Creates the outbox's folders if they are missing. A symbolic link planted where one of them belongs
    /// is replaced by a real folder, never followed (see ``makeFolder(_:)``).
    package func prepare() throws(OutboxError) {
        for folder in ["\(root)/done", "\(root)/failed", logs, warnings, staging] {
            try makeFolder(folder)
        }
    }

    /// Creates `path`, a folder inside the outbox, with its missing parents. Everything below the root must
    /// be a real folder: a link there would send files out of the outbox, so it is replaced by a folder.
    /// The root itself may be a link (an outbox on another disk).
    package func makeFolder(_ path: String) throws(OutboxError) {
        try FileSystem.makeDirectories(path, below: root)
    }

    /// A new, empty staging folder for one job.
    package func makeStagingFolder() throws(OutboxError) -> String {
        let path = "\(staging)/\(UUID().uuidString)"
        try makeFolder(path)
        return path
    }

    /// Writes one alert as `warnings/<UTC yyyyMMdd'T'HHmmss'Z'>-<kind>.json`, adding `-2`, `-3`, … when a
    /// warning of the same kind was written in the same second; returns its path.
    @discardableResult
    package func writeWarning(_ record: JSONValue, kind: String, at time: Date = Date()) throws(OutboxError) -> String {
        try makeFolder(warnings)
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
    ///
    /// A staging or warnings folder that is a symbolic link is never swept through (it could name any folder
    /// on the machine): the link is removed, and ``prepare()`` makes the real folder.
    @discardableResult
    package func sweepLeftovers() -> [String] {
        let files = FileManager.default
        var removed: [String] = []
        for folder in [staging, warnings] where FileSystem.removeIfLink(folder) {
            removed.append(folder)
        }
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
    /// `_2`, `_3`, … when the name is taken (by anything, a planted link included: it is never followed).
    /// Returns the final path.
    ///
    /// The staged folder and its subfolders are flushed first, so that the entries of files written with
    /// ``StagedFile`` survive a power loss once the folder has its final name.
    package func publish(staged: String, outcome: JobOutcome, subpath: String, job: String) throws(OutboxError) -> String {
        let parent = parentFolder(outcome, subpath: subpath)
        for folder in FileSystem.realSubdirectories(of: staged) {
            try FileSystem.syncDirectory(folder)
        }
        try FileSystem.syncDirectory(staged)
        try makeFolder(parent)
        for attempt in Self.attempts {
            let path = "\(parent)/\(Self.jobFolderName(job, attempt: attempt))"
            if try FileSystem.renameIfAbsent(staged, to: path) {
                try FileSystem.syncDirectory(parent)
                return path
            }
        }
        throw .noFreeName(job)
    }

    /// The job folders ``publish(staged:outcome:subpath:job:)`` may have made for `job`, in the order it
    /// tries their names, up to the first free name. Names taken by anything but a real folder are skipped.
    package func existingJobFolders(_ outcome: JobOutcome, subpath: String, job: String) -> [String] {
        let parent = parentFolder(outcome, subpath: subpath)
        var folders: [String] = []
        for attempt in Self.attempts {
            let path = "\(parent)/\(Self.jobFolderName(job, attempt: attempt))"
            guard FileSystem.entryExists(path) else { break }
            if FileSystem.isRealDirectory(path) { folders.append(path) }
        }
        return folders
    }

    /// `<job>`, then `<job>_2`, `<job>_3`, …, shortened to fit NAME_MAX (``FileNames``).
    package static func jobFolderName(_ job: String, attempt: Int) -> String {
        FileNames.fitting(job, suffix: attempt == 1 ? "" : "_\(attempt)")
    }

    private static let attempts = 1...10_000

    private func parentFolder(_ outcome: JobOutcome, subpath: String) -> String {
        subpath.isEmpty ? "\(root)/\(outcome.rawValue)" : "\(root)/\(outcome.rawValue)/\(subpath)"
    }

    /// Appends one event to today's JSONL log (`logs/facedrop-YYYY-MM-DD.jsonl`, UTC).
    package func log(_ event: [String: JSONValue], at time: Date = Date()) throws(OutboxError) {
        var record = event
        record["time"] = .string(time.formatted(.iso8601))
        let day = time.formatted(.iso8601.year().month().day())
        try makeFolder(logs)
        try FileSystem.appendLine(JSONValue.object(record).serialized() + [0x0A], to: "\(logs)/facedrop-\(day).jsonl")
    }
}

/// Which side of the outbox a job lands on.
package enum JobOutcome: String, Sendable, Hashable {
    case done
    case failed
}
