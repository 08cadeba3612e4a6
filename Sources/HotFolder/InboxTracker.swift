import DedicatedThreads

package import struct Foundation.Date

/// Knows every candidate file of one inbox and decides which jobs are ready (docs/protocol.md §2).
///
/// A value type with an injected clock: the daemon owns one per inbox, feeds it `lstat` snapshots
/// from inotify hints and scans, calls ``take(at:wallClock:)`` when ``nextDeadline()`` comes, and
/// claims what it returns. It never reads a clock itself: every time is an `Instant` of the caller's
/// clock, so the settle and orphan times pass as fast as a test moves its clock. Nothing here trusts an event: a file is written when its snapshot has
/// stopped changing for ``InboxRules/settle``, and a job is ready when all its files are.
///
/// Memory is bounded by what is pending: files leave the tracker when they are taken or forgotten.
///
/// Names are compared byte for byte (``ExactName``), as the file system compares them: two files whose
/// names differ only in Unicode normalisation are two files, and two jobs.
///
/// The entry points are specialised ahead for the daemon's instants (`ElapsedClock.Instant`): unspecialised, every
/// pending file was copied and compared through its generic type's witnesses at each event and each `take`.
package struct InboxTracker<Instant: InstantProtocol<Duration>>: Sendable {
    /// The inbox folder, absolute, without a trailing `/`.
    package let root: String
    package private(set) var rules: InboxRules
    let access: InboxFileAccess
    /// Pending files: folder (absolute) → file name → file.
    var folders: [ExactName: [ExactName: PendingFile<Instant>]] = [:]
    /// Entries with a job's name that are not regular files (links, FIFOs, devices): folder → name → kind.
    /// They are never opened nor taken; they are remembered only so that a partner left waiting for them
    /// can say why in its orphan record.
    var refused: [ExactName: [ExactName: FileSnapshot.Kind]] = [:]
    /// Deadlines up to here were looked at by the last `take`.
    var lastTake: Instant?

    package init(root: String, rules: InboxRules) {
        self.init(root: root, rules: rules, access: .disk)
    }

    /// A tracker that reads sidecars and looks for named poses through `access`.
    package init(root: String, rules: InboxRules, access: InboxFileAccess) {
        var root = root
        while root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.rules = rules
        self.access = access
    }

    /// Applies new rules (a reloaded configuration); pending files keep their observations and are judged by
    /// the new settle and orphan times from now on.
    package mutating func update(rules: InboxRules) {
        self.rules = rules
        lastTake = nil
    }

    /// How many files are pending.
    package var pendingCount: Int {
        folders.values.reduce(0) { $0 + $1.count }
    }

    /// Records a new or changed file. An unchanged snapshot keeps the settle clock running; a changed
    /// one (size, mtime, ctime or inode) restarts it. Ignored names, files outside the root or under a
    /// dot-folder, and anything that is not a regular file are not tracked (a non-regular file with a
    /// face or sidecar name is remembered as refused, see ``refused``).
    @_specialize(exported:true,where Instant == ElapsedClock.Instant)
    package mutating func observe(_ file: FileSnapshot, at now: Instant) {
        guard let (folder, name) = locate(file.path), let role = CandidateName(name: name.text) else { return }
        guard file.isRegular else {
            forget(path: file.path)
            if role != .other { refuse(file, named: name, in: folder) }
            return
        }
        refused[folder]?[name] = nil
        if var known = folders[folder]?[name] {
            guard !known.snapshot.isUnchanged(comparedTo: file) else { return }
            known.snapshot = file
            known.lastChange = now
            known.sidecar = .unread
            folders[folder]?[name] = known
            return
        }
        if case .other = role, !isWanted(name, in: folder) { return }
        folders[folder, default: [:]][name] = PendingFile(name: name.text, role: role, snapshot: file, seen: now)
    }

    /// Forgets a file that was removed or moved away.
    @_specialize(exported:true,where Instant == ElapsedClock.Instant)
    package mutating func forget(path: String) {
        guard let (folder, name) = locate(path) else { return }
        folders[folder]?[name] = nil
        if folders[folder]?.isEmpty == true { folders[folder] = nil }
        refused[folder]?[name] = nil
        if refused[folder]?.isEmpty == true { refused[folder] = nil }
    }

    /// Remembers what a non-regular entry is; a snapshot that only knows "not regular" (from a scan) is
    /// looked at again with `lstat` (never `stat`: a link is not followed).
    private mutating func refuse(_ file: FileSnapshot, named name: ExactName, in folder: ExactName) {
        var kind = file.kind
        if kind == .notRegular, let again = access.lstat(file.path), !again.isRegular { kind = again.kind }
        refused[folder, default: [:]][name] = kind
    }

    /// Replaces what is known under `folder` (absolute; recursive) with a full scan result: files no
    /// longer present are forgotten, new and changed ones observed.
    @_specialize(exported:true,where Instant == ElapsedClock.Instant)
    package mutating func reconcile(_ files: [FileSnapshot], under folder: String, at now: Instant) {
        var base = folder
        while base.hasSuffix("/") { base.removeLast() }
        let present = Set(files.map { ExactName($0.path) })
        let isPresent = { (folder: ExactName, name: ExactName) in present.contains(ExactName("\(folder.text)/\(name.text)")) }
        for key in folders.keys where key == ExactName(base) || key.isBelow(base) {
            folders[key] = folders[key]?.filter { isPresent(key, $0.key) }
            if folders[key]?.isEmpty == true { folders[key] = nil }
        }
        for key in refused.keys where key == ExactName(base) || key.isBelow(base) {
            refused[key] = refused[key]?.filter { isPresent(key, $0.key) }
            if refused[key]?.isEmpty == true { refused[key] = nil }
        }
        // Files with no role of their own are only wanted if a sidecar names them: look that up once
        // per folder, not once per file, so a folder full of unrelated files stays cheap.
        var namedPoses: [ExactName: Set<ExactName>] = [:]
        for file in files {
            guard let (folder, name) = locate(file.path), CandidateName(name: name.text) == .other else {
                observe(file, at: now)
                continue
            }
            if namedPoses[folder] == nil {
                namedPoses[folder] = Set(folders[folder]?.values.compactMap { $0.namedPose.map(ExactName.init) } ?? [])
            }
            if namedPoses[folder]?.contains(name) == true { observe(file, at: now) }
        }
    }

    /// Hands over the jobs that became ready and the orphans that timed out, and removes their files.
    /// The caller claims them; `wallClock` dates their drop times.
    @_specialize(exported:true,where Instant == ElapsedClock.Instant)
    package mutating func take(at now: Instant, wallClock: Date) -> TrackerOutput {
        lastTake = now
        var output = TrackerOutput()
        for folder in folders.keys.sorted() {
            evaluate(folder: folder, at: now, wallClock: wallClock, into: &output)
        }
        output.ready.sort { ($0.droppedAt, $0.folder, $0.stem) < ($1.droppedAt, $1.folder, $1.stem) }
        output.orphans.sort { ($0.droppedAt, $0.folder, $0.stem) < ($1.droppedAt, $1.folder, $1.stem) }
        return output
    }

    /// The next moment ``take(at:wallClock:)`` may have something new: a file settling or a group
    /// reaching its orphan deadline. Deadlines the last `take` already looked at are left out; nil when
    /// nothing is pending.
    @_specialize(exported:true,where Instant == ElapsedClock.Instant)
    package func nextDeadline() -> Instant? {
        var earliest: Instant?
        for files in folders.values {
            for file in files.values {
                let settled = file.lastChange.advanced(by: rules.settle)
                for deadline in [settled, settled.advanced(by: rules.orphanAfter)] where lastTake.map({ deadline > $0 }) ?? true {
                    earliest = min(earliest ?? deadline, deadline)
                }
            }
        }
        return earliest
    }

    // MARK: Paths

    /// The folder and name of `path`, or nil when it is outside the root or under a dot-folder.
    func locate(_ path: String) -> (folder: ExactName, name: ExactName)? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        let folder = ExactName(String(path[..<slash]))
        let name = String(path[path.index(after: slash)...])
        guard !name.isEmpty, folder == ExactName(root) || folder.isBelow(root) else { return nil }
        guard !subpath(of: folder).split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { return nil }
        return (folder, ExactName(name))
    }

    /// `folder` relative to the root; empty at the top.
    func subpath(of folder: ExactName) -> String {
        folder == ExactName(root) ? "" : String(decoding: folder.text.utf8.dropFirst(root.utf8.count + 1), as: UTF8.self)
    }

    /// Whether a file with no role of its own should be tracked: a sidecar of its folder names it as its
    /// pose. (A sidecar read later finds such a file itself, see `lookForNamedPoses`.)
    func isWanted(_ name: ExactName, in folder: ExactName) -> Bool {
        folders[folder]?.values.contains { $0.namedPose.map(ExactName.init) == name } ?? false
    }
}
