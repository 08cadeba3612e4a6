import FacedropTestSupport
import Foundation
import Outbox
import StrictJSON
import Testing

/// Retention on a real outbox in a temporary folder, at a fixed "now": what is past its limit is removed and
/// logged, nothing else is, no link is followed, and the journal's unfinished jobs keep their folders.
@Suite("Outbox retention")
struct OutboxRetentionTests {
    /// 2026-09-21T10:13:20Z.
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// An outbox whose files are made with chosen ages.
    struct Fixture {
        let folder: TemporaryDirectory
        var folders: OutboxFolders { OutboxFolders(root: folder.path) }

        init() throws {
            folder = try TemporaryDirectory(prefix: "facedrop-retention")
            try folders.prepare()
        }

        static func daysAgo(_ days: Double) -> Date { OutboxRetentionTests.now.addingTimeInterval(-days * 86_400) }

        /// A job folder `relative` (`done/anna`) whose record is `days` old, as is the folder itself unless told.
        func job(_ relative: String, days: Double, folderDays: Double? = nil, claimID: String? = nil) throws {
            let path = folder.appending(relative)
            try FileManager.default.createDirectory(atPath: "\(path)/input", withIntermediateDirectories: true)
            try Data([0xFF, 0xD8]).write(to: URL(fileURLWithPath: "\(path)/input/face.jpg"))
            let record = relative.hasPrefix("done") ? "result.json" : relative.hasPrefix("failed") ? "error.json" : "cancelled.json"
            var object: [String: JSONValue] = ["job": .string(String(relative.split(separator: "/").last ?? ""))]
            if let claimID { object["claim_id"] = .string(claimID) }
            try Data(JSONValue.object(object).serialized()).write(to: URL(fileURLWithPath: "\(path)/\(record)"))
            try age("\(relative)/\(record)", days: days)
            try age("\(relative)/input", days: folderDays ?? days)
            try age(relative, days: folderDays ?? days)
        }

        func file(_ relative: String, days: Double = 0) throws {
            try Data("{}\n".utf8).write(to: URL(fileURLWithPath: folder.appending(relative)))
            try age(relative, days: days)
        }

        func age(_ relative: String, days: Double) throws {
            try FileManager.default.setAttributes([.modificationDate: Self.daysAgo(days)], ofItemAtPath: folder.appending(relative))
        }

        func exists(_ relative: String) -> Bool {
            (try? FileManager.default.attributesOfItem(atPath: folder.appending(relative))) != nil
        }

        /// The `pruned` events of the outbox's JSONL log for "now"'s day.
        func prunedEvents() throws -> [JSONValue] {
            let text = (try? String(contentsOfFile: folder.appending("logs/facedrop-2026-09-21.jsonl"), encoding: .utf8)) ?? ""
            return try text.split(separator: "\n").map { try JSONParser().parse(Array($0.utf8)) }.filter { $0["event"]?.stringValue == "pruned" }
        }

        func prune(_ retention: OutboxRetention, sparing unfinished: OutboxRetention.UnfinishedJobs = .init()) -> OutboxRetention.Outcome {
            let plan = retention.plan(folders, now: OutboxRetentionTests.now)
            return OutboxRetention.remove(plan, from: folders, sparing: unfinished, now: OutboxRetentionTests.now)
        }
    }

    @Test("by age: job folders older than the days go, younger ones stay; each removal is logged")
    func byAge() throws {
        let outbox = try Fixture()
        try outbox.job("done/old", days: 31)
        try outbox.job("done/young", days: 29)
        try outbox.job("failed/old", days: 31)
        let outcome = outbox.prune(OutboxRetention(done: .init(days: 30)))
        #expect(outcome.removed.map(\.path) == ["done/old"])
        #expect(outcome.removed.first?.reason == .age)
        #expect(!outbox.exists("done/old"))
        #expect(outbox.exists("done/young"))
        #expect(outbox.exists("failed/old"), "keep_failed is not set: failed/ is kept for ever")
        let events = try outbox.prunedEvents()
        #expect(events.count == 1)
        #expect(events.first?["path"]?.stringValue == "done/old")
        #expect(events.first?["kind"]?.stringValue == "done")
        #expect(events.first?["reason"]?.stringValue == "age")
    }

    @Test("by count: only the newest N job folders stay")
    func byCount() throws {
        let outbox = try Fixture()
        for day in 1...5 { try outbox.job("failed/job\(day)", days: Double(day)) }
        let outcome = outbox.prune(OutboxRetention(failed: .init(count: 2)))
        #expect(Set(outcome.removed.map(\.path)) == ["failed/job3", "failed/job4", "failed/job5"])
        #expect(outcome.removed.allSatisfy { $0.reason == .count })
        #expect(outbox.exists("failed/job1") && outbox.exists("failed/job2"))
    }

    @Test("age and count together: whichever removes first")
    func ageAndCount() throws {
        let outbox = try Fixture()
        try outbox.job("done/a", days: 1)
        try outbox.job("done/b", days: 2)
        try outbox.job("done/c", days: 3)
        try outbox.job("done/d", days: 10)
        // count 3 keeps a, b and c; days 2 then removes c as well.
        let outcome = outbox.prune(OutboxRetention(done: .init(days: 2, count: 3)))
        let removed = Dictionary(uniqueKeysWithValues: outcome.removed.map { ($0.path, $0.reason) })
        #expect(removed == ["done/c": .age, "done/d": .count])
        #expect(outbox.exists("done/a") && outbox.exists("done/b"))
    }

    @Test("a job folder's age is its record file's mtime, not the folder's")
    func recordFileAge() throws {
        let outbox = try Fixture()
        try outbox.job("done/recent-record", days: 1, folderDays: 100)
        try outbox.job("done/old-record", days: 100, folderDays: 1)
        let outcome = outbox.prune(OutboxRetention(done: .init(days: 30)))
        #expect(outcome.removed.map(\.path) == ["done/old-record"])
        #expect(outbox.exists("done/recent-record"))
    }

    @Test("nested subpaths are walked; a folder without a record is no job; old empty subfolders go")
    func nested() throws {
        let outbox = try Fixture()
        try outbox.job("done/team/anna/portrait", days: 40)
        try outbox.job("done/team/bob/portrait", days: 5)
        try FileManager.default.createDirectory(atPath: outbox.folder.appending("done/team/notes"), withIntermediateDirectories: true)
        try outbox.file("done/team/notes/readme.txt", days: 400)
        try FileManager.default.createDirectory(atPath: outbox.folder.appending("done/gone/empty"), withIntermediateDirectories: true)
        try outbox.age("done/gone/empty", days: 3)
        let outcome = outbox.prune(OutboxRetention(done: .init(days: 30)))
        #expect(outcome.removed.map(\.path) == ["done/team/anna/portrait"])
        #expect(outcome.removedEmptyFolders == ["done/gone/empty"])
        #expect(outbox.exists("done/team/bob/portrait"))
        #expect(outbox.exists("done/team/notes/readme.txt"))
        #expect(outbox.exists("done/team/anna"), "emptied just now: left for a later pass, a delivery may be using it")
    }

    @Test("a job named like a subfolder (done/x/ is the job x and holds the jobs of x/) goes without them")
    func jobHoldingSubfolderJobs() throws {
        let outbox = try Fixture()
        try outbox.job("done/x/portrait", days: 2)
        try outbox.job("done/x/old-portrait", days: 50)
        try outbox.job("done/x", days: 40)
        let outcome = outbox.prune(OutboxRetention(done: .init(days: 30)))
        #expect(Set(outcome.removed.map(\.path)) == ["done/x", "done/x/old-portrait"])
        #expect(!outbox.exists("done/x/result.json") && !outbox.exists("done/x/input"))
        #expect(!outbox.exists("done/x/old-portrait"))
        #expect(outbox.exists("done/x/portrait/result.json"), "the younger job inside is kept")
        #expect(outbox.exists("done/x/portrait/input/face.jpg"))
    }

    @Test("logs go by the date in their name, warnings by the time in theirs; other files stay")
    func logsByDateInName() throws {
        let outbox = try Fixture()
        // Written to today, but named 20 days ago: the name decides.
        try outbox.file("logs/facedrop-2026-09-01.jsonl")
        try outbox.file("logs/facedrop-2026-09-08.jsonl", days: 100)
        try outbox.file("logs/notes.txt", days: 100)
        try outbox.file("warnings/20260901T120000Z-credits-low.json")
        try outbox.file("warnings/20260918T120000Z-credits-low.json", days: 100)
        let outcome = outbox.prune(OutboxRetention(logs: .init(days: 14)))
        #expect(Set(outcome.removed.map(\.path)) == ["logs/facedrop-2026-09-01.jsonl", "warnings/20260901T120000Z-credits-low.json"])
        #expect(outbox.exists("logs/facedrop-2026-09-08.jsonl"), "its day ended 13 days before now")
        #expect(outbox.exists("logs/notes.txt"))
        #expect(outbox.exists("warnings/20260918T120000Z-credits-low.json"))
    }

    @Test("symbolic links are never followed: a linked job folder or done/ itself is left, and so is what it names")
    func linksNotFollowed() throws {
        let outbox = try Fixture()
        let elsewhere = try TemporaryDirectory(prefix: "facedrop-retention-elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere.appending("job"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: elsewhere.appending("job/result.json")))
        try FileManager.default.setAttributes([.modificationDate: Fixture.daysAgo(100)], ofItemAtPath: elsewhere.appending("job/result.json"))
        try Data("precious".utf8).write(to: URL(fileURLWithPath: elsewhere.appending("precious.txt")))
        // A link posing as a job folder, and a real old job folder holding a link to a file elsewhere.
        try FileManager.default.createSymbolicLink(atPath: outbox.folder.appending("done/linked"), withDestinationPath: elsewhere.appending("job"))
        try outbox.job("done/old", days: 100)
        try FileManager.default.createSymbolicLink(
            atPath: outbox.folder.appending("done/old/input/link"),
            withDestinationPath: elsewhere.appending("precious.txt")
        )
        // failed/ itself a link to a folder of old job folders.
        try FileManager.default.removeItem(atPath: outbox.folder.appending("failed"))
        try FileManager.default.createDirectory(atPath: elsewhere.appending("failures/job"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: elsewhere.appending("failures/job/error.json")))
        try FileManager.default.setAttributes([.modificationDate: Fixture.daysAgo(100)], ofItemAtPath: elsewhere.appending("failures/job/error.json"))
        try FileManager.default.createSymbolicLink(atPath: outbox.folder.appending("failed"), withDestinationPath: elsewhere.appending("failures"))

        let outcome = outbox.prune(OutboxRetention(done: .init(days: 30), failed: .init(days: 30)))
        #expect(outcome.removed.map(\.path) == ["done/old"])
        #expect(!outbox.exists("done/old"))
        #expect(outbox.exists("done/linked"))
        #expect(FileManager.default.fileExists(atPath: elsewhere.appending("job/result.json")))
        #expect(FileManager.default.fileExists(atPath: elsewhere.appending("failures/job/error.json")))
        #expect(try String(contentsOfFile: elsewhere.appending("precious.txt"), encoding: .utf8) == "precious")
    }

    @Test("a job the journal is not finished with keeps its folder, by claim ID or by journaled folder")
    func unfinishedKept() throws {
        let outbox = try Fixture()
        try outbox.job("done/delivered-not-done", days: 100, claimID: "claim-1")
        try outbox.job("failed/delivery-not-journaled", days: 100)
        try outbox.job("done/finished", days: 100, claimID: "claim-2")
        let unfinished = OutboxRetention.UnfinishedJobs(
            claimIDs: ["claim-1", "claim-9"],
            folders: [outbox.folder.appending("failed/delivery-not-journaled")]
        )
        let outcome = outbox.prune(OutboxRetention(done: .init(days: 30), failed: .init(days: 30)), sparing: unfinished)
        #expect(outcome.removed.map(\.path) == ["done/finished"])
        #expect(Set(outcome.spared.map(\.path)) == ["done/delivered-not-done", "failed/delivery-not-journaled"])
        #expect(outbox.exists("done/delivered-not-done") && outbox.exists("failed/delivery-not-journaled"))
    }

    @Test("cancelled/ has a limit of its own; keeping everything plans nothing")
    func cancelledAndForever() throws {
        let outbox = try Fixture()
        try outbox.job("cancelled/old", days: 10)
        try outbox.job("done/old", days: 1000)
        #expect(OutboxRetention().plan(outbox.folders, now: Self.now).isEmpty)
        let outcome = outbox.prune(OutboxRetention(cancelled: .init(days: 7)))
        #expect(outcome.removed.map(\.path) == ["cancelled/old"])
        #expect(outcome.removed.first?.kind == .cancelled)
        #expect(outbox.exists("done/old"))
    }
}
