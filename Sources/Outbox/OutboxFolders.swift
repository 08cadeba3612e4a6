import FileSystem
package import Foundation
package import StrictJSON
import Synchronization

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
    /// Where a `failed/` or `cancelled/` job folder is moved to have the job queued again (`facedrop retry`).
    package var retry: String { "\(root)/retry" }
    package var logs: String { "\(root)/logs" }
    package var warnings: String { "\(root)/warnings" }
    package var creditsFile: String { "\(root)/credits.json" }

    /// Creates the outbox's folders if they are missing. A symbolic link planted where one of them belongs
    /// is replaced by a real folder, never followed (see ``makeFolder(_:)``).
    /// The outbox is then remembered as prepared (``prepareOnce()``).
    package func prepare() throws(OutboxError) {
        for folder in ["\(root)/done", "\(root)/failed", "\(root)/cancelled", retry, logs, warnings, staging] {
            try makeFolder(folder)
        }
        _ = Self.prepared.withLock { $0.insert(root) }
    }

    /// ``prepare()`` once per outbox and process: every delivery needs the folders, and making all seven again for
    /// each one cost more than the rest of its folder work. The steps of a delivery make the folders they write into
    /// themselves (the staging folder, `done/`, `failed/`, `logs/`), so one a user removes meanwhile comes back when
    /// it is next written to; after a failed write, ``forgetPrepared()`` has the next delivery make them all again.
    package func prepareOnce() throws(OutboxError) {
        if Self.prepared.withLock({ $0.contains(root) }) { return }
        try prepare()
    }

    /// Has the next ``prepareOnce()`` make the outbox's folders again: a write failed, perhaps because one was removed.
    package func forgetPrepared() {
        _ = Self.prepared.withLock { $0.remove(root) }
    }

    /// The outboxes prepared in this process, by root (a handful: one per configured outbox).
    private static let prepared = Mutex<Set<String>>([])

    /// Creates `path`, a folder inside the outbox, with its missing parents. Everything below the root must
    /// be a real folder: a link there would send files out of the outbox, so it is replaced by a folder.
    /// The root itself may be a link (an outbox on another disk).
    package func makeFolder(_ path: String) throws(OutboxError) {
        _ = try folder(path, creating: true)
    }

    /// The outbox's root folder, made if missing (it may itself be a link: an outbox on another disk).
    func rootFolder() throws(OutboxError) -> Folder {
        do { return try Folder.open(root, creating: true, mode: .sharedFolder) } catch {
            throw .file(error)
        }
    }

    /// The folder `path` inside the outbox, reached without following a link below the root; with `creating`,
    /// missing folders are made and a link where a folder belongs is replaced by a real folder.
    func folder(_ path: String, creating: Bool) throws(OutboxError) -> Folder {
        let base = try rootFolder()
        do { return try base.folder(path, creating: creating, replacingLinks: creating) } catch { throw .file(error) }
    }

    /// The folder holding `path` (made if missing, unless `creating` is false) and the file's name in it.
    func place(_ path: String, creating: Bool = true) throws(OutboxError) -> (folder: Folder, name: String) {
        guard let slash = path.lastIndex(of: "/") else { throw .file(FileSystemError("open", path: path, reason: .outsideFolder)) }
        return (try folder(String(path[..<slash]), creating: creating), String(path[path.index(after: slash)...]))
    }

    /// Writes the new file `path` inside the outbox (nothing may have the name; no link is followed) and
    /// flushes it; a partly written file is removed. Without `creatingFolders`, the folder it goes into must exist.
    package func create(_ path: String, bytes: [UInt8], creatingFolders: Bool = true) throws(OutboxError) {
        let place = try place(path, creating: creatingFolders)
        do { try place.folder.create(place.name, bytes: bytes) } catch { throw .file(error) }
    }

    /// Replaces the file `path` inside the outbox atomically and durably (see ``AtomicFile``). Without
    /// `syncingFolder`, a power loss may leave the previous content (see ``Folder/replace(_:bytes:mode:temporaryName:syncingFolder:)``).
    package func replace(_ path: String, bytes: [UInt8], syncingFolder: Bool = true) throws(OutboxError) {
        let place = try place(path)
        do {
            try place.folder.replace(place.name, bytes: bytes, temporaryName: AtomicFile.temporaryName(for: place.name), syncingFolder: syncingFolder)
        } catch {
            throw .file(error)
        }
    }

    /// Reads a regular file inside the outbox, following no link below the root.
    package func read(_ path: String, limit: Int) throws(OutboxError) -> [UInt8] {
        let base = try rootFolder()
        do { return try base.read(path, limit: limit) } catch { throw .file(error) }
    }

    /// Removes `path` inside the outbox and everything in it, following no link.
    package func removeTree(_ path: String) throws(OutboxError) {
        let base = try rootFolder()
        do { try base.removeTree(path) } catch { throw .file(error) }
    }

    /// A new, empty staging folder for one job, with its `input/`, both held open: a fresh name, or `name` (what an
    /// earlier attempt left there is removed first).
    package func makeStagingFolder(named name: String? = nil) throws(OutboxError) -> StagingFolder {
        let base = try rootFolder()
        let leaf = name ?? FileNames.unique()
        do {
            let parent = try base.folder(staging, creating: true, replacingLinks: true)
            if name != nil { try? parent.removeTree(leaf) }
            // Made, then opened: opening first, as `folder(_:creating:)` does, would fail on every new folder.
            _ = try parent.makeFolder(leaf, mode: .sharedFolder)
            let folder = try parent.folder(leaf)
            _ = try folder.makeFolder("input", mode: .sharedFolder)
            let input = try folder.folder("input")
            return StagingFolder(path: "\(staging)/\(leaf)", folder: folder, input: input)
        } catch {
            throw .file(error)
        }
    }

    /// Takes away the staging folders named `<prefix><anything>` but `keeping`: renamed first, so that a writer
    /// still filling one (a host that hung, taken for dead) can no longer publish it under its name, then removed.
    /// Returns how many were taken.
    @discardableResult
    package func takeStagingFolders(prefix: String, keeping: String) -> Int {
        guard let base = try? rootFolder(), let names = try? base.names(".facedrop-staging") else { return 0 }
        var taken = 0
        for name in names where name.hasPrefix(prefix) && name != keeping {
            let trash = ".facedrop-staging/taken-\(FileNames.unique())"
            guard (try? base.move(".facedrop-staging/\(name)", to: trash, replacing: false)) == true else { continue }
            try? base.removeTree(trash)
            taken += 1
        }
        return taken
    }

    /// Writes one alert as `warnings/<UTC yyyyMMdd'T'HHmmss'Z'>-<kind>.json`, adding `-2`, `-3`, … when a
    /// warning of the same kind was written in the same second; returns its path.
    @discardableResult
    package func writeWarning(_ record: JSONValue, kind: String, at time: Date = Date()) throws(OutboxError) -> String {
        try makeFolder(warnings)
        let stamp = time.formatted(
            Date.ISO8601FormatStyle(dateSeparator: .omitted, dateTimeSeparator: .standard, timeSeparator: .omitted, timeZone: .gmt)
        )
        let folder = try folder(warnings, creating: true)
        var name = "\(stamp)-\(kind).json"
        var suffix = 2
        while (try? folder.status(name)) != .some(nil) {
            name = "\(stamp)-\(kind)-\(suffix).json"
            suffix += 1
        }
        try replace("\(warnings)/\(name)", bytes: record.serialized(pretty: true) + [0x0A])
        return "\(warnings)/\(name)"
    }

    /// Removes what a crash can leave behind: half-assembled job folders under the staging folder and the
    /// temporary files of interrupted atomic writes (`.<name>.<uuid>.tmp`) at the top and in `warnings/`.
    /// Returns the paths removed. Run at start, before any job is delivered.
    ///
    /// A staging or warnings folder that is a symbolic link is never swept through (it could name any folder
    /// on the machine): the link is removed, and ``prepare()`` makes the real folder.
    @discardableResult
    package func sweepLeftovers() -> [String] {
        guard let base = try? rootFolder() else { return [] }
        var removed: [String] = []
        for name in [".facedrop-staging", "warnings"] where (try? base.status(name))??.kind == .symbolicLink {
            if (try? base.remove(name)) != nil { removed.append(base.display(name)) }
        }
        for entry in (try? base.entries(".facedrop-staging")) ?? [] {
            guard let name = entry.name.map({ ".facedrop-staging/\($0)" }) else { continue }
            if (try? base.removeTree(name)) != nil { removed.append(base.display(name)) }
        }
        for folder in [".", "warnings"] {
            for entry in (try? base.entries(folder)) ?? [] {
                guard let name = entry.name, name.hasPrefix("."), name.hasSuffix(".tmp") else { continue }
                let relative = folder == "." ? name : "\(folder)/\(name)"
                if (try? base.remove(relative)) != nil { removed.append(base.display(relative)) }
            }
        }
        return removed
    }

    /// Moves a finished staging folder to `done/<subpath>/<job>` or `failed/<subpath>/<job>`, adding
    /// `_2`, `_3`, … when the name is taken (by anything, a planted link included: it is never followed).
    /// Returns the final path.
    ///
    /// The staged folder's `input/` and the folder itself are flushed first (through the descriptors it holds), so
    /// that the entries of the files written into them survive a power loss once the folder has its final name. The
    /// move goes by the staged folder's name: one taken away meanwhile is not published.
    package func publish(_ staged: StagingFolder, outcome: JobOutcome, subpath: String, job: String) throws(OutboxError) -> String {
        do {
            try staged.input.sync()
            try staged.folder.sync()
        } catch {
            throw .file(error)
        }
        return try move(staged.path, into: outcome, subpath: subpath, job: job)
    }

    /// Moves the folder `path` inside the outbox (a retry folder put back) as ``publish(_:outcome:subpath:job:)``
    /// moves a staging folder, after flushing its subfolders and itself.
    package func publish(folder path: String, outcome: JobOutcome, subpath: String, job: String) throws(OutboxError) -> String {
        let base = try rootFolder()
        do throws(FileSystemError) {
            let folder = try base.folder(path)
            for entry in try folder.entries() where entry.kind == .directory {
                if let name = entry.name { try folder.folder(name).sync() }
            }
            try folder.sync()
        } catch {
            throw .file(error)
        }
        return try move(path, into: outcome, subpath: subpath, job: job)
    }

    /// Renames the folder `path` to the first free job folder name for `job` under `outcome`'s folder and flushes
    /// that folder.
    private func move(_ path: String, into outcome: JobOutcome, subpath: String, job: String) throws(OutboxError) -> String {
        let parent = parentFolder(outcome, subpath: subpath)
        let base = try rootFolder()
        do throws(FileSystemError) {
            let parentFolder = try base.folder(parent, creating: true, replacingLinks: true)
            for attempt in Self.attempts {
                let name = Self.jobFolderName(job, attempt: attempt)
                if try base.move(path, to: name, in: parentFolder, replacing: false) {
                    try parentFolder.sync()
                    return "\(parent)/\(name)"
                }
            }
        } catch {
            throw .file(error)
        }
        throw .noFreeName(job)
    }

    /// The job folders ``publish(_:outcome:subpath:job:)`` may have made for `job`, in the order it
    /// tries their names, up to the first free name. Names taken by anything but a real folder are skipped.
    package func existingJobFolders(_ outcome: JobOutcome, subpath: String, job: String) -> [String] {
        let parent = parentFolder(outcome, subpath: subpath)
        guard let folder = try? folder(parent, creating: false) else { return [] }
        var folders: [String] = []
        for attempt in Self.attempts {
            let name = Self.jobFolderName(job, attempt: attempt)
            guard case .some(.some(let status)) = try? folder.status(name) else { break }
            if status.kind == .directory { folders.append("\(parent)/\(name)") }
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
        let folder = try folder(logs, creating: true)
        do { try folder.append("facedrop-\(day).jsonl", bytes: JSONValue.object(record).serialized() + [0x0A]) } catch { throw .file(error) }
    }
}

/// Which side of the outbox a job lands on.
package enum JobOutcome: String, Sendable, Hashable {
    case done
    case failed
    /// Taken back before it was sent (`facedrop cancel`): the job's files, returned unused.
    case cancelled
    /// Not a job: a drop whose sidecar asked for variations, kept as dropped once its jobs were written.
    case expanded

    /// The record file in each job folder of this outcome.
    package var recordName: String {
        switch self {
        case .done: "result.json"
        case .failed: "error.json"
        case .cancelled: "cancelled.json"
        case .expanded: "expanded.json"
        }
    }

    /// The event written to the outbox's JSONL log when a job folder of this outcome is published.
    package var logEvent: String { "job_\(rawValue)" }
}
