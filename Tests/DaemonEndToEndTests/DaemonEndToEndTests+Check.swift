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
}
