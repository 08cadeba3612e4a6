import Foundation
import HotFolder
import Synchronization

/// A pretend disk for the tracker: sidecar contents and `lstat` answers, changeable during a test.
final class FakeDisk: Sendable {
    let sidecars = Mutex<[String: String]>([:])
    let files = Mutex<[String: FileSnapshot]>([:])

    var access: InboxFileAccess {
        InboxFileAccess(
            readSidecar: { [self] path, maxBytes in
                sidecars.withLock { $0[path] }.map { Array($0.utf8) }.flatMap { $0.count <= maxBytes ? $0 : nil }
            },
            lstat: { [self] path in files.withLock { $0[path] } }
        )
    }

    func writeSidecar(_ path: String, _ content: String = "{}") {
        sidecars.withLock { $0[path] = content }
    }

    /// Makes `lstat` find the file.
    func place(_ file: FileSnapshot) {
        files.withLock { $0[file.path] = file }
    }
}

/// Drives an ``InboxTracker`` for the inbox `/inbox` with a fake clock: every time is seconds after `start`.
struct TrackerHarness {
    static let root = "/inbox"
    /// The wall-clock time that corresponds to `start`.
    static let wallStart = Date(timeIntervalSince1970: 1_750_000_000)

    let start = ContinuousClock.now
    let disk = FakeDisk()
    var tracker: InboxTracker<ContinuousClock.Instant>
    private var inodes: [String: UInt64] = [:]

    init(
        settle: Duration = .seconds(2),
        orphanAfter: Duration = .seconds(600),
        sidecarRequired: Bool = true,
        maxSidecarBytes: Int = 4096
    ) {
        let rules = InboxRules(
            settle: settle,
            orphanAfter: orphanAfter,
            sidecarRequired: sidecarRequired,
            maxSidecarBytes: maxSidecarBytes
        )
        tracker = InboxTracker(root: Self.root, rules: rules, access: disk.access)
    }

    func at(_ seconds: Double) -> ContinuousClock.Instant {
        start + .milliseconds(Int64((seconds * 1000).rounded()))
    }

    static func path(_ name: String) -> String {
        name.hasPrefix("/") ? name : "\(root)/\(name)"
    }

    /// A snapshot of `name` (relative to the inbox unless absolute) whose times are `version`.
    mutating func snapshot(_ name: String, size: Int64 = 100, version: Int64 = 1, inode: UInt64? = nil) -> FileSnapshot {
        let path = Self.path(name)
        let inode = inode ?? inodes[path] ?? UInt64(inodes.count + 1)
        inodes[path] = inode
        return FileSnapshot(path: path, size: size, modified: version, changed: version, inode: inode)
    }

    /// Observes `name` at `seconds`. A sidecar gets `sidecar` as its content (default `{}`).
    @discardableResult
    mutating func drop(
        _ name: String,
        size: Int64 = 100,
        version: Int64 = 1,
        inode: UInt64? = nil,
        sidecar: String = "{}",
        at seconds: Double
    ) -> FileSnapshot {
        let file = snapshot(name, size: size, version: version, inode: inode)
        if name.hasSuffix(".json") { disk.writeSidecar(file.path, sidecar) }
        tracker.observe(file, at: at(seconds))
        return file
    }

    /// Observes `<stem>.jpg` and an empty-object `<stem>.json` at `seconds`.
    mutating func dropPair(_ stem: String, at seconds: Double) {
        drop("\(stem).jpg", at: seconds)
        drop("\(stem).json", at: seconds)
    }

    mutating func take(at seconds: Double) -> TrackerOutput {
        tracker.take(at: at(seconds), wallClock: Self.wallStart.addingTimeInterval(seconds))
    }

    /// The names of a ready job's files, face first.
    static func names(_ job: ReadyJob) -> [String] {
        job.files.map { ($0.path as NSString).lastPathComponent }
    }

    static func names(_ orphan: OrphanFiles) -> [String] {
        orphan.files.map { ($0.path as NSString).lastPathComponent }
    }
}
