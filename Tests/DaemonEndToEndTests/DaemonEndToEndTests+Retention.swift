import FacedropTestSupport
import Foundation
import StrictJSON
import Testing

/// Retention: the daemon prunes what has outlived `keep_done`, `keep_failed` (and with it `cancelled/`) and
/// `keep_logs` at start and after a reload, logs each removal, and keeps everything else.
extension DaemonEndToEndTests {
    /// Makes a job folder `relative` in the outbox, finished `days` ago (its record file's and folder's mtime).
    static func oldJobFolder(_ outbox: String, _ relative: String, record: String, days: Double) throws {
        let path = "\(outbox)/\(relative)"
        try FileManager.default.createDirectory(atPath: "\(path)/input", withIntermediateDirectories: true)
        try Data([0xFF, 0xD8, 0xFF, 0xD9]).write(to: URL(fileURLWithPath: "\(path)/input/face.jpg"))
        try Data(#"{"job":"old"}"#.utf8).write(to: URL(fileURLWithPath: "\(path)/\(record)"))
        let date = Date().addingTimeInterval(-days * 86_400)
        for file in ["\(path)/\(record)", "\(path)/input", path] {
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: file)
        }
    }

    /// `logs/facedrop-YYYY-MM-DD.jsonl` for the UTC day `days` ago.
    static func logName(daysAgo days: Int) -> String {
        let day = Date().addingTimeInterval(-Double(days) * 86_400).formatted(.iso8601.year().month().day())
        return "logs/facedrop-\(day).jsonl"
    }

    @Test("retention at start: old job folders, logs and warnings go, each logged; young ones, other files and new jobs stay")
    func retentionPrunesAtStart() async throws {
        try await withDaemon(
            startDaemon: false,
            configure: { settings in
                settings.inboxes[0].retention = ["keep_done = 30", "keep_failed = { days = 60, count = 2 }", "keep_logs = 14"]
            }
        ) { _, daemon in
            let outbox = daemon.outbox
            try Self.oldJobFolder(outbox, "done/old", record: "result.json", days: 40)
            try Self.oldJobFolder(outbox, "done/team/anna/old-nested", record: "result.json", days: 45)
            try Self.oldJobFolder(outbox, "done/young", record: "result.json", days: 3)
            try Self.oldJobFolder(outbox, "failed/ancient", record: "error.json", days: 70)
            try Self.oldJobFolder(outbox, "failed/recent-1", record: "error.json", days: 1)
            try Self.oldJobFolder(outbox, "failed/recent-2", record: "error.json", days: 2)
            try Self.oldJobFolder(outbox, "failed/third", record: "error.json", days: 5)
            try Self.oldJobFolder(outbox, "cancelled/old-cancel", record: "cancelled.json", days: 61)
            try Self.oldJobFolder(outbox, "cancelled/new-cancel", record: "cancelled.json", days: 1)
            try FileManager.default.createDirectory(atPath: "\(outbox)/logs", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(outbox)/warnings", withIntermediateDirectories: true)
            let oldLog = Self.logName(daysAgo: 20)
            let recentLog = Self.logName(daysAgo: 5)
            for file in [oldLog, recentLog, "logs/keep-me.txt", "warnings/20200101T000000Z-credits-low.json"] {
                try Data("{}\n".utf8).write(to: URL(fileURLWithPath: "\(outbox)/\(file)"))
            }
            // Outside the outbox, linked from inside: never followed.
            let elsewhere = daemon.folder.appending("elsewhere")
            try Self.oldJobFolder(elsewhere, "done/victim", record: "result.json", days: 400)
            try FileManager.default.createSymbolicLink(atPath: "\(outbox)/done/linked", withDestinationPath: "\(elsewhere)/done/victim")

            try await daemon.start()
            try await daemon.waitFor("the outbox to be pruned") { daemon.log.contains("pruned the outbox") }
            let job = try daemon.dropJob("fresh", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the new job to end") {
                daemon.jobs(.done).contains("fresh") || daemon.jobs(.failed).contains("fresh")
            }
            try daemon.expectDone(job, model: "instantid")

            let gone =
                ["done/old", "done/team/anna/old-nested", "failed/ancient", "failed/third", "cancelled/old-cancel", oldLog]
                + ["warnings/20200101T000000Z-credits-low.json"]
            let kept = ["done/young", "failed/recent-1", "failed/recent-2", "cancelled/new-cancel", recentLog, "logs/keep-me.txt", "done/linked"]
            for path in gone {
                #expect(!FileManager.default.fileExists(atPath: "\(outbox)/\(path)"), "\(path) should have been pruned")
                #expect(daemon.log.contains(path), "\(path): its removal is logged")
            }
            for path in kept {
                #expect((try? FileManager.default.attributesOfItem(atPath: "\(outbox)/\(path)")) != nil, "\(path) should be kept")
            }
            #expect(FileManager.default.fileExists(atPath: "\(elsewhere)/done/victim/result.json"), "a link is never followed")
            #expect(daemon.jobs(.done).contains("fresh"))

            // The outbox's own JSONL log has one "pruned" event per removal.
            let logs = try FileManager.default.contentsOfDirectory(atPath: "\(outbox)/logs").filter { $0.hasSuffix(".jsonl") }
            let text = try logs.map { try String(contentsOfFile: "\(outbox)/logs/\($0)", encoding: .utf8) }.joined()
            let events = try text.split(separator: "\n").map { try JSONParser().parse(Array($0.utf8)) }.filter { $0["event"]?.stringValue == "pruned" }
            #expect(Set(events.compactMap { $0["path"]?.stringValue }) == Set(gone))
            #expect(events.first { $0["path"]?.stringValue == "failed/third" }?["reason"]?.stringValue == "count")
        }
    }

    @Test("retention after a reload: a new keep_done applies at once")
    func retentionAfterReload() async throws {
        try await withDaemon { _, daemon in
            try Self.oldJobFolder(daemon.outbox, "done/old", record: "result.json", days: 40)
            try await Task.sleep(for: .milliseconds(300))
            #expect(FileManager.default.fileExists(atPath: "\(daemon.outbox)/done/old"), "no retention set: kept")
            daemon.settings.inboxes[0].retention = ["keep_done = { days = 30 }"]
            try daemon.writeConfiguration()
            daemon.hangUp()
            try await daemon.waitFor("the reload to prune") { !FileManager.default.fileExists(atPath: "\(daemon.outbox)/done/old") }
            #expect(daemon.log.contains("done/old"))
            #expect(daemon.isRunning)
        }
    }
}
