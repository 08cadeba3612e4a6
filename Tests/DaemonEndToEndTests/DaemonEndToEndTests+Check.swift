import FacedropTestSupport
import Foundation
import Testing

/// `facedrop check` reads a folder the way the daemon does.
extension DaemonEndToEndTests {
    @Test("facedrop check counts a pose image only when <stem>.pose.<ext> is there, by the drop protocol's rules")
    func checkSeesPoseFiles() async throws {
        try await withDaemon(startDaemon: false) { _, daemon in
            let folder = daemon.folder.appending("check")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let posed = "\(folder)/posed.json"
            let plain = "\(folder)/plain.json"
            try Data(#"{"model":"consistent-character-with-pose","prompt":"standing"}"#.utf8).write(to: URL(fileURLWithPath: posed))
            try Data(#"{"model":"pulid-base","prompt":"a portrait"}"#.utf8).write(to: URL(fileURLWithPath: plain))

            // No pose files: the pose model is refused, the other has nothing to say about poses.
            var (ended, output) = try await daemon.runCommand(["check", "--config", daemon.configPath, posed, plain])
            #expect(!ended.signalled && ended.status == 1, "\(ended): \(output)")
            #expect(output.contains("needs a pose image"), "\(output)")
            #expect(!output.contains("takes no pose image"), "\(output)")

            // Pose files beside both (an upper-case extension counts, as it does for the daemon).
            let pose = try Fixtures.bytes(Fixtures.poseJPEG)
            try Data(pose).write(to: URL(fileURLWithPath: "\(folder)/posed.pose.JPG"))
            try Data(pose).write(to: URL(fileURLWithPath: "\(folder)/plain.pose.jpg"))
            (ended, output) = try await daemon.runCommand(["check", "--config", daemon.configPath, posed, plain])
            #expect(!ended.signalled && ended.status == 0, "\(ended): \(output)")
            #expect(!output.contains("needs a pose image"), "\(output)")
            #expect(output.contains("takes no pose image"), "\(output)")
        }
    }

    @Test("facedrop --version prints the version and the git commit it was built from; an unknown --log-level is a usage error")
    func versionAndLogLevel() async throws {
        try await withDaemon(startDaemon: false) { _, daemon in
            var (ended, output) = try await daemon.runCommand(["--version"])
            #expect(!ended.signalled && ended.status == 0, "\(ended): \(output)")
            let version = output.trimmingCharacters(in: .whitespacesAndNewlines)
            // `facedrop <major.minor.patch> (<commit>)`
            let parts = version.split(separator: " ", maxSplits: 2)
            #expect(parts.count == 3 && parts[0] == "facedrop" && parts[1].split(separator: ".").count == 3, "\(version)")
            // A hexadecimal commit (this suite runs from a git checkout), possibly marked +dirty.
            let commit = version.split(separator: "(").last.map { String($0.dropLast()) } ?? ""
            #expect(commit.prefix(12).allSatisfy(\.isHexDigit) && commit.count >= 12, "\(version)")
            (ended, output) = try await daemon.runCommand(["run", "--config", daemon.configPath, "--log-level", "debgu"])
            #expect(!ended.signalled && ended.status == 64, "\(ended): \(output)")
            #expect(output.contains("debgu") && output.contains("notice"), "\(output)")
        }
    }
}
