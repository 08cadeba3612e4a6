import FileSystem
package import Foundation

/// What one outbox keeps, and which of its job folders, logs and warnings have outlived that.
///
/// Outboxes otherwise grow for ever. Each kind has a ``Limit``: an age in days, a number of the newest, both
/// (whichever removes first), or neither (kept for ever). Pruning is two steps, so the journal can be asked in
/// between: ``plan(_:now:)`` lists what has outlived its limit, then ``remove(_:from:sparing:now:)`` removes it,
/// sparing every folder of a job the journal is not finished with.
///
/// A job folder is a folder under `done/`, `failed/` or `cancelled/` (at any depth, since subpaths nest) that
/// holds its record file (`result.json`, `error.json`, `cancelled.json`); its age counts from that file's mtime
/// (written last, when the job finished), or from the folder's when the record is not a regular file. A log's
/// age counts from the end of the UTC day in its name (`logs/facedrop-YYYY-MM-DD.jsonl`), a warning's from the
/// time in its name (`warnings/<yyyyMMdd'T'HHmmss'Z'>-<kind>.json`, else its mtime); warnings follow the logs'
/// limit. Everything below the outbox's root is reached without following a link, and a link is never removed
/// either: it is not a job folder.
package struct OutboxRetention: Sendable, Hashable {
    /// How long one kind is kept.
    package struct Limit: Sendable, Hashable {
        package var days: Int?
        package var count: Int?

        package init(days: Int? = nil, count: Int? = nil) {
            self.days = days
            self.count = count
        }

        package var keepsForever: Bool { days == nil && count == nil }
    }

    package var done: Limit
    package var failed: Limit
    package var cancelled: Limit
    /// For `logs/` and `warnings/`, each counted on its own.
    package var logs: Limit

    package init(done: Limit = Limit(), failed: Limit = Limit(), cancelled: Limit = Limit(), logs: Limit = Limit()) {
        self.done = done
        self.failed = failed
        self.cancelled = cancelled
        self.logs = logs
    }

    /// Whether nothing is ever removed.
    package var keepsEverything: Bool {
        done.keepsForever && failed.keepsForever && cancelled.keepsForever && logs.keepsForever
    }

    /// An empty subpath folder is removed once it has not changed for this long, so a folder a delivery has just
    /// made (or that this pass has just emptied) is left for a later pass.
    package static let emptyFolderAge: TimeInterval = 86_400

    /// What has outlived its limit, and empty subpath folders left by earlier passes. Reads only.
    package func plan(_ outbox: OutboxFolders, now: Date) -> RetentionPlan {
        guard !keepsEverything, let base = try? outbox.rootFolder() else { return RetentionPlan() }
        var plan = RetentionPlan()
        for outcome in [JobOutcome.done, .failed, .cancelled, .expanded] {
            let limit = limit(outcome)
            guard !limit.keepsForever else { continue }
            var walk = JobFolderWalk(base: base, recordName: outcome.recordName, now: now)
            walk.visit(outcome.rawValue, depth: 0)
            plan.expired += Self.expired(walk.jobs, kind: RetentionPlan.Kind(outcome), limit: limit, now: now)
            plan.emptyFolders += walk.emptyFolders
        }
        if !logs.keepsForever {
            plan.expired += Self.expired(Self.logFiles(base), kind: .log, limit: logs, now: now)
            plan.expired += Self.expired(Self.warningFiles(base), kind: .warning, limit: logs, now: now)
        }
        return plan
    }

    private func limit(_ outcome: JobOutcome) -> Limit {
        switch outcome {
        case .done: done
        case .failed: failed
        case .cancelled: cancelled
        // The record of a drop that asked for variations goes with the done jobs it became.
        case .expanded: done
        }
    }

    /// A job folder, log or warning found, with the time its age counts from.
    struct Found {
        var path: String
        var finished: Date
        /// Subfolders that are not part of it (see ``RetentionPlan/Item/keeping``).
        var keeping: [String] = []
    }

    /// The items past `limit`: beyond the newest `count`, or older than `days`.
    static func expired(_ items: [Found], kind: RetentionPlan.Kind, limit: Limit, now: Date) -> [RetentionPlan.Item] {
        let newestFirst = items.sorted { $0.finished != $1.finished ? $0.finished > $1.finished : $0.path < $1.path }
        var expired: [RetentionPlan.Item] = []
        for (index, item) in newestFirst.enumerated() {
            let reason: RetentionPlan.Reason
            if let count = limit.count, index >= count {
                reason = .count
            } else if let days = limit.days, now.timeIntervalSince(item.finished) > Double(days) * 86_400 {
                reason = .age
            } else {
                continue
            }
            expired.append(RetentionPlan.Item(kind: kind, path: item.path, finished: item.finished, reason: reason, keeping: item.keeping))
        }
        return expired
    }

    /// `logs/facedrop-YYYY-MM-DD.jsonl` files, each finished at the end of its UTC day.
    static func logFiles(_ base: Folder) -> [Found] {
        regularFiles(base, in: "logs").compactMap { name, _ in
            guard name.hasPrefix("facedrop-"), name.hasSuffix(".jsonl"), name.utf8.count == 25,
                let day = utcDate(name.dropFirst(9).prefix(10), format: "yyyy-MM-dd")
            else { return nil }
            return Found(path: "logs/\(name)", finished: day.addingTimeInterval(86_400))
        }
    }

    /// `warnings/<yyyyMMdd'T'HHmmss'Z'>-<kind>.json` files, each at the time in its name (else its mtime).
    static func warningFiles(_ base: Folder) -> [Found] {
        regularFiles(base, in: "warnings").compactMap { name, status in
            guard name.hasSuffix(".json") else { return nil }
            let stamped = utcDate(name.prefix(16), format: "yyyyMMdd'T'HHmmss'Z'")
            return Found(path: "warnings/\(name)", finished: stamped ?? status.modified)
        }
    }

    /// The regular files in `folder` (a real folder below the root), without dotfiles (temporary files).
    private static func regularFiles(_ base: Folder, in folder: String) -> [(String, FileStatus)] {
        ((try? base.entries(folder)) ?? []).compactMap { entry in
            guard let name = entry.name, !name.hasPrefix("."), entry.kind == nil || entry.kind == .regular,
                let status = (try? base.status("\(folder)/\(name)")) ?? nil, status.kind == .regular
            else { return nil }
            return (name, status)
        }
    }

    private static func utcDate(_ text: Substring, format: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        formatter.isLenient = false
        return formatter.date(from: String(text))
    }
}

extension FileStatus {
    /// The mtime as a date.
    var modified: Date { Date(timeIntervalSince1970: Double(modifiedNanoseconds) / 1e9) }
}

/// The walk through `done/`, `failed/` or `cancelled/` that finds job folders at any depth.
private struct JobFolderWalk {
    let base: Folder
    let recordName: String
    let now: Date
    var jobs: [OutboxRetention.Found] = []
    var emptyFolders: [String] = []

    /// Subpaths nest as deep as the inbox's folders; past this a tree is not looked into.
    static let maximumDepth = 64

    mutating func visit(_ folder: String, depth: Int) {
        guard let entries = try? base.entries(folder) else { return }
        if entries.isEmpty, depth > 0 {
            if let status = (try? base.status(folder)) ?? nil, now.timeIntervalSince(status.modified) > OutboxRetention.emptyFolderAge {
                emptyFolders.append(folder)
            }
            return
        }
        classify(subfolders(of: folder, entries: entries), in: folder, depth: depth)
    }

    /// Each of `names`, folders in `folder`: a job folder (it holds the record) or a subpath folder to look into.
    private mutating func classify(_ names: [String], in folder: String, depth: Int) {
        for name in names {
            let child = "\(folder)/\(name)"
            guard let record = (try? base.status("\(child)/\(recordName)")) ?? nil, record.kind != .directory else {
                if depth < Self.maximumDepth { visit(child, depth: depth + 1) }
                continue
            }
            // A job named like a subfolder of the inbox (`x.jpg` beside `x/`) holds that subfolder's job folders:
            // they are jobs of their own, kept when this one goes.
            let nested = subfolders(of: child, entries: (try? base.entries(child)) ?? []).filter { $0 != "input" }
            let finished = record.kind == .regular ? record.modified : ((try? base.status(child)) ?? nil)?.modified
            if let finished { jobs.append(OutboxRetention.Found(path: child, finished: finished, keeping: nested)) }
            if depth < Self.maximumDepth { classify(nested, in: child, depth: depth + 1) }
        }
    }

    /// The real folders among `entries` of `folder`, without dot names (never job folders: the inbox ignores
    /// dotfiles) and names that are not UTF-8.
    private func subfolders(of folder: String, entries: [FolderEntry]) -> [String] {
        entries.compactMap { entry in
            guard let name = entry.name, !name.hasPrefix(".") else { return nil }
            let isFolder = entry.kind == .directory || (entry.kind == nil && (try? base.status("\(folder)/\(name)"))??.kind == .directory)
            return isFolder ? name : nil
        }
    }
}
