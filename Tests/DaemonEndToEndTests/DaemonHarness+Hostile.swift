import FacedropTestSupport
import Foundation
import Glibc
import SegmindEmulator
import Testing

/// What the hostile-input tests need beyond dropping files: the API key canary, a search of everything the
/// daemon may write, its peak memory, and a last normal job to prove it still works.
extension DaemonHarness {
    /// The API key every daemon of the suite is given (the emulator accepts it). It is unique per run, so
    /// finding it in a file means this run's daemon wrote it there.
    static let canaryKey = "sk-CANARY-\(UUID().uuidString)"

    /// Every regular file the daemon could have written: everything under the inboxes (claim folders), the
    /// outboxes (records, inputs, `logs/*.jsonl`, warnings), the state folder (journal with its `-wal` and
    /// `-shm`, spool) and its own stdout/stderr log. Found with `lstat`: links are not followed and FIFOs or
    /// devices are never opened.
    func writtenFiles() -> [String] {
        let roots = Set(settings.inboxes.flatMap { [$0.path, $0.outbox] } + [state])
        return [logPath] + roots.sorted().flatMap { Self.regularFiles(under: $0) }
    }

    /// The canary key (and the key this harness gave, if another) is in no file ``writtenFiles()`` lists.
    func expectNoCanary(sourceLocation: SourceLocation = #_sourceLocation) {
        for key in Set([Self.canaryKey, apiKey]) {
            expectNowhere(Array(key.utf8), what: "the API key", sourceLocation: sourceLocation)
        }
    }

    /// `bytes` occur in no file the daemon wrote (see ``writtenFiles()``).
    func expectNowhere(_ bytes: [UInt8], what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let needle = Data(bytes)
        for file in writtenFiles() {
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped) else { continue }
            #expect(data.range(of: needle) == nil, "\(what) is in \(file)", sourceLocation: sourceLocation)
        }
    }

    /// The regular files under `root`, never descending into a linked folder; huge files (a sparse test
    /// file left behind) are skipped.
    static func regularFiles(under root: String) -> [String] {
        var found: [String] = []
        var pending = [root]
        while let folder = pending.popLast() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                let path = "\(folder)/\(name)"
                guard let status = POSIXFiles.status(path) else { continue }
                if status.kind == S_IFDIR {
                    pending.append(path)
                } else if status.kind == S_IFREG, status.size < 256 << 20 {
                    found.append(path)
                }
            }
        }
        return found
    }

    /// The daemon's peak resident memory so far (`VmHWM` in `/proc/<pid>/status`), in bytes.
    func peakResidentBytes() -> Int? {
        guard let process, process.isRunning,
            let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }

    /// The daemon is still running and still turns a normal job, dropped now, into a finished `done/` folder.
    func expectStillServing(_ server: EmulatorServer, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(isRunning, "the daemon is gone", sourceLocation: sourceLocation)
        let stem = "afterwards-\(UUID().uuidString.prefix(8).lowercased())"
        let submitsBefore = await server.ledger().billedSubmits
        let job = try dropJob(stem, sidecar: #"{"model":"instantid","prompt":"photo of a woman"}"#)
        try await waitFor("the normal job \(stem) to end") { jobs(.done).contains(stem) || jobs(.failed).contains(stem) }
        try expectDone(job, model: "instantid", sourceLocation: sourceLocation)
        #expect(await server.ledger().billedSubmits == submitsBefore + 1, sourceLocation: sourceLocation)
    }
}

/// A tmpfs mounted for one test, to make an outbox that can be filled up or made read-only. Needs root
/// (CAP_SYS_ADMIN); ``mount(at:size:)`` says why when it cannot.
final class ScratchMount {
    let path: String
    private var mounted = true

    private init(path: String) {
        self.path = path
    }

    /// Mounts a tmpfs of `size` (e.g. `"8m"`) at `path`, creating the folder; the failure text (e.g.
    /// "permission denied") when the system does not allow it.
    static func mount(at path: String, size: String) throws -> Result<ScratchMount, MountRefusal> {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let (status, output) = run(["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
        guard status == 0 else { return .failure(MountRefusal(reason: "mount -t tmpfs failed (\(status)): \(output)")) }
        return .success(ScratchMount(path: path))
    }

    /// `mount -o remount,ro` or `remount,rw`.
    func remount(readOnly: Bool) throws {
        let (status, output) = Self.run(["-o", readOnly ? "remount,ro" : "remount,rw", path])
        guard status == 0 else { throw MountRefusal(reason: "remount failed (\(status)): \(output)") }
    }

    func unmount() {
        guard mounted else { return }
        mounted = false
        _ = Self.run(["-l", path], tool: "/bin/umount")
    }

    deinit {
        unmount()
    }

    private static func run(_ arguments: [String], tool: String = "/bin/mount") -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return (-1, "\(error)")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why a tmpfs could not be mounted (not root, or no CAP_SYS_ADMIN in this container).
struct MountRefusal: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
