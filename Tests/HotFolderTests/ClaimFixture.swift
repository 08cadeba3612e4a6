import FacedropTestSupport
import Foundation
import HotFolder

/// A real inbox in a temporary folder, with helpers to drop jobs into it.
struct ClaimFixture {
    let directory: TemporaryDirectory
    var inbox: String { directory.path }

    init() throws {
        directory = try TemporaryDirectory(prefix: "facedrop-hotfolder")
    }

    /// Whether `/dev/shm` is on another filesystem than the temporary folder, so a rename between them fails.
    static var sharedMemoryIsAnotherFilesystem: Bool {
        let manager = FileManager.default
        guard let shared = try? manager.attributesOfFileSystem(forPath: "/dev/shm")[.systemNumber] as? Int,
            let temporary = try? manager.attributesOfFileSystem(forPath: manager.temporaryDirectory.path)[.systemNumber]
                as? Int
        else { return false }
        return shared != temporary
    }

    func claimer(owner: String = "test-host") -> JobClaimer {
        JobClaimer(inboxRoot: inbox, owner: owner)
    }

    /// Writes `contents` to `relativePath` inside the inbox, creating folders as needed.
    @discardableResult
    func write(_ relativePath: String, _ contents: String) throws -> String {
        let path = "\(inbox)/\(relativePath)"
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Drops `<stem>.jpg`, `<stem>.json` and optionally `<stem>.pose.png` into `subpath` and returns the
    /// job as the tracker would hand it over.
    func dropJob(_ stem: String, in subpath: String = "", pose: Bool = false) throws -> ReadyJob {
        let prefix = subpath.isEmpty ? "" : "\(subpath)/"
        let face = try snapshot(write("\(prefix)\(stem).jpg", "face of \(stem)"))
        let sidecar = try snapshot(write("\(prefix)\(stem).json", #"{"prompt": "\#(stem)"}"#))
        let poseFile = pose ? try snapshot(write("\(prefix)\(stem).pose.png", "pose of \(stem)")) : nil
        return ReadyJob(
            folder: subpath.isEmpty ? inbox : "\(inbox)/\(subpath)",
            subpath: subpath,
            stem: stem,
            face: face,
            sidecar: sidecar,
            pose: poseFile,
            droppedAt: Date()
        )
    }

    func snapshot(_ path: String) throws -> FileSnapshot {
        guard let file = FileSnapshot.lstat(path) else { throw CocoaError(.fileNoSuchFile) }
        return file
    }

    func exists(_ path: String) -> Bool {
        FileSnapshot.lstat(path) != nil
    }

    func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The entries of `.facedrop`, sorted; empty when it does not exist.
    func claimFolders() -> [String] {
        let work = "\(inbox)/.facedrop"
        return ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).sorted().map { "\(work)/\($0)" }
    }
}

extension ClaimResult {
    /// The claimed files, or nil for `.lost` and `.changed`.
    var claimed: ClaimedFiles? {
        if case .claimed(let files) = self { files } else { nil }
    }
}
