import FacedropTestSupport
import Foundation

/// One folder shared over sshfs from a loopback sshd and mounted several times, each mount one host's view of a
/// network share: `scripts/loopback-share` (docs/network-shares.md). A write through one mount reaches the others
/// only through the server, with no inotify event.
///
/// ``make(mounts:)`` runs `up`; ``tearDown()`` runs `down` and must always follow, also after a failure.
final class LoopbackShare {
    /// Why the share could not be made or undone, with what the script said.
    struct ScriptFailure: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "scripts/loopback-share \(command) failed (\(status)): \(output)" }
    }

    /// The folder holding the export, the mounts and the sshd's files.
    let root: TemporaryDirectory
    /// Each host's mount of the one export.
    let mounts: [String]
    private var mounted = true

    private init(root: TemporaryDirectory, mounts: [String]) {
        self.root = root
        self.mounts = mounts
    }

    /// `scripts/loopback-share`, found from this file's place in the repository.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/loopback-share").path

    /// Why this machine cannot make the share (no sshfs, sshd or FUSE: `scripts/loopback-share check`), or nil
    /// when it can.
    static func unavailable() async throws -> String? {
        let (status, output) = try await run(["check"])
        return status == 0 ? nil : output
    }

    /// Mounts a new export `mounts` times (1 to 3).
    static func make(mounts count: Int) async throws -> LoopbackShare {
        let root = try TemporaryDirectory(prefix: "facedrop-share")
        let (status, output) = try await run(["up", root.path, "\(count)"], stdoutOnly: true)
        let mounts = output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("/") }
        guard status == 0, mounts.count == count else {
            _ = try? await run(["down", root.path])
            throw ScriptFailure(command: "up", status: status, output: output)
        }
        return LoopbackShare(root: root, mounts: mounts)
    }

    /// Unmounts every mount and stops the sshd (`scripts/loopback-share down`).
    func tearDown() async throws {
        guard mounted else { return }
        mounted = false
        let (status, output) = try await Self.run(["down", root.path])
        guard status == 0 else { throw ScriptFailure(command: "down", status: status, output: output) }
    }

    /// Runs `$1` with the other arguments after closing every inherited descriptor but 0, 1 and 2. `up` leaves sshd
    /// and sshfs running in the background, and Foundation's `Process` learns that its child ended when the socket
    /// it hands the child closes: inherited by sshfs, that socket would stay open, and the script, ended, would be
    /// taken for running until the share was unmounted.
    private static let closingInheritedFiles = #"""
        for path in /proc/$$/fd/*; do fd=${path##*/}; if ((fd > 2)); then eval "exec $fd>&-"; fi; done
        script=$1
        shift
        exec "$script" "$@"
        """#

    /// Runs the script to its end (killed after `timeout`): its exit status and what it printed (stdout and stderr,
    /// or stdout alone when `stdoutOnly`, stderr then added only when it fails).
    private static func run(_ arguments: [String], stdoutOnly: Bool = false, timeout: Duration = .seconds(90)) async throws -> (Int32, String) {
        let scratch = try TemporaryDirectory(prefix: "facedrop-share-script")
        let outPath = scratch.appending("stdout")
        let errPath = scratch.appending("stderr")
        for path in [outPath, errPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", closingInheritedFiles, "loopback-share", script] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        try? out.close()
        try? err.close()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            if clock.now >= deadline { ProcessSignal.kill.send(to: process.processIdentifier) }
            try? await clock.sleep(for: .milliseconds(50))
        }
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        let status = process.terminationStatus
        let text = stdoutOnly && status == 0 ? stdout : stdout + stderr
        return (status, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
