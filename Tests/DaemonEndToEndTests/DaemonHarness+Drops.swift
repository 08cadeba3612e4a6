import FacedropTestSupport
import Foundation

/// What a test dropped for one job: the files by name with their exact bytes, to compare with `input/`.
struct DroppedJob {
    /// The folder relative to the inbox, `""` at the top.
    var subfolder: String
    var stem: String
    /// The face's file name.
    var face: String = ""
    var files: [String: [UInt8]] = [:]

    /// The job's folder relative to `done/` or `failed/`.
    var outboxPath: String { subfolder.isEmpty ? stem : "\(subfolder)/\(stem)" }
}

/// Producers: the ways files arrive in an inbox (atomic copy, slow chunked write, a temporary name renamed
/// into place, a hard link).
extension DaemonHarness {
    /// The absolute path of `relative` inside inbox number `inbox`.
    func inboxPath(_ relative: String, inbox: Int = 0) -> String {
        "\(settings.inboxes[inbox].path)/\(relative)"
    }

    /// Writes `bytes` under a hidden temporary name beside `relative` and renames it into place: the file
    /// appears whole in one step.
    func drop(_ bytes: [UInt8], as relative: String, inbox: Int = 0) throws {
        let path = inboxPath(relative, inbox: inbox)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try Self.writeAtomically(bytes, to: path)
    }

    /// A face (a fixture), its sidecar (when given) and a `<stem>.pose.jpg` (when given), each dropped whole.
    @discardableResult
    func dropJob(
        _ stem: String,
        sidecar: String?,
        face: String = Fixtures.faceJPEG,
        pose: String? = nil,
        in subfolder: String = "",
        inbox: Int = 0
    ) throws -> DroppedJob {
        var job = DroppedJob(subfolder: subfolder, stem: stem)
        let prefix = subfolder.isEmpty ? "" : "\(subfolder)/"
        let faceName = "\(stem).\((face as NSString).pathExtension)"
        job.face = faceName
        job.files[faceName] = try Fixtures.bytes(face)
        if let pose {
            job.files["\(stem).pose.\((pose as NSString).pathExtension)"] = try Fixtures.bytes(pose)
        }
        if let sidecar {
            job.files["\(stem).json"] = Array(sidecar.utf8)
        }
        // The sidecar last, as a careful producer does; the daemon must cope with any order.
        let order = job.files.keys.sorted { ($0.hasSuffix(".json") ? 1 : 0, $0) < ($1.hasSuffix(".json") ? 1 : 0, $1) }
        for name in order {
            try drop(job.files[name]!, as: prefix + name, inbox: inbox)
        }
        return job
    }

    /// Writes `bytes` straight to their final name in `chunks` pieces, `pause` apart, as a slow network copy does.
    func writeSlowly(_ bytes: [UInt8], as relative: String, chunks: Int, pause: Duration) async throws {
        let path = inboxPath(relative)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let size = (bytes.count + chunks - 1) / chunks
        for start in stride(from: 0, to: bytes.count, by: size) {
            try handle.write(contentsOf: bytes[start..<min(bytes.count, start + size)])
            try await Task.sleep(for: pause)
        }
    }

    /// Writes `bytes` to `<relative>.part` (ignored by the daemon), then renames it to `relative`.
    func writeThenRename(_ bytes: [UInt8], as relative: String, pause: Duration = .milliseconds(400)) async throws {
        let path = inboxPath(relative)
        let partial = "\(path).part"
        _ = FileManager.default.createFile(atPath: partial, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
        try handle.write(contentsOf: bytes.prefix(bytes.count / 2))
        try await Task.sleep(for: pause)
        try handle.write(contentsOf: bytes.dropFirst(bytes.count / 2))
        try handle.close()
        try POSIXFiles.rename(partial, to: path)
    }

    /// Writes `bytes` to `<relative>.tmp` (ignored by the daemon), hard-links the file into place and
    /// unlinks the temporary name, as a producer that links finished files into place does. (A file that
    /// still had its second name when claimed would be refused: it could be a file from outside the inbox.)
    func hardLink(_ bytes: [UInt8], as relative: String) throws {
        let temporary = inboxPath("\(relative).tmp")
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        try POSIXFiles.link(temporary, to: inboxPath(relative))
        try FileManager.default.removeItem(atPath: temporary)
    }
}
