import FacedropTestSupport
import Foundation
import Glibc
import Outbox
import StrictJSON
import Testing

/// A symbolic link planted at each path the outbox writes (by anyone who can write into a shared outbox) must
/// never be followed: what facedrop writes lands inside the outbox, and the link's target stays untouched.
@Suite("Outbox: a link planted at any path it writes is never followed")
struct OutboxLinkTests {
    /// An outbox and a folder outside it that a planted link points to.
    struct Setting {
        let outboxFolder: TemporaryDirectory
        let victim: TemporaryDirectory
        let outbox: OutboxFolders

        init() throws {
            outboxFolder = try TemporaryDirectory(prefix: "facedrop-links-outbox")
            victim = try TemporaryDirectory(prefix: "facedrop-links-victim")
            try Data("keep".utf8).write(to: URL(fileURLWithPath: victim.appending("file")))
            outbox = OutboxFolders(root: outboxFolder.path)
        }

        /// Plants `relative` (inside the outbox) as a link to the victim folder, or to the victim's file.
        func plant(_ relative: String, toFile: Bool = false) throws {
            let path = outboxFolder.appending(relative)
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true
            )
            #expect(symlink(toFile ? victim.appending("file") : victim.path, path) == 0)
        }

        /// The victim still holds only its file, unchanged.
        func expectVictimUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path) == ["file"], sourceLocation: sourceLocation)
            #expect(try String(contentsOfFile: victim.appending("file"), encoding: .utf8) == "keep", sourceLocation: sourceLocation)
        }

        func kind(_ relative: String) -> FileAttributeType? {
            (try? FileManager.default.attributesOfItem(atPath: outboxFolder.appending(relative)))?[.type] as? FileAttributeType
        }
    }

    @Test("done/<subpath>: a link on the way to a job folder")
    func doneSubpath() throws {
        let setting = try Setting()
        try setting.outbox.prepare()
        try setting.plant("done/team")
        let staged = try setting.outbox.makeStagingFolder()
        try staged.write([1], named: "result.json")
        let folder = try setting.outbox.publish(staged, outcome: .done, subpath: "team/a", job: "job")
        #expect(folder == setting.outboxFolder.appending("done/team/a/job"))
        #expect(setting.kind("done/team") == .typeDirectory)
        #expect(setting.kind("done/team/a/job/result.json") == .typeRegular)
        try setting.expectVictimUntouched()
    }

    @Test("done/<subpath>/<job>: a link at the job folder's own name is skipped, never published into")
    func doneJobName() throws {
        let setting = try Setting()
        try setting.outbox.prepare()
        try setting.plant("done/job")
        let folder = try setting.outbox.publish(try setting.outbox.makeStagingFolder(), outcome: .done, subpath: "", job: "job")
        #expect(folder == setting.outboxFolder.appending("done/job_2"))
        #expect(setting.outbox.existingJobFolders(.done, subpath: "", job: "job") == [folder])
        try setting.expectVictimUntouched()
    }

    @Test("the staging folder, and a job's input/ inside it")
    func stagingAndInput() throws {
        let setting = try Setting()
        try setting.plant(".facedrop-staging")
        try setting.outbox.prepare()
        let staged = try setting.outbox.makeStagingFolder()
        #expect(setting.kind(".facedrop-staging") == .typeDirectory)
        #expect(setting.kind(String(staged.path.dropFirst(setting.outboxFolder.path.count + 1)) + "/input") == .typeDirectory)
        // Swapped for a link after it was made: the write goes to the folder it holds, which is gone, and refuses;
        // the link is never followed (a staged write never makes a folder: a staging folder taken away must stay away).
        try FileManager.default.removeItem(atPath: "\(staged.path)/input")
        try setting.plant(String(staged.path.dropFirst(setting.outboxFolder.path.count + 1)) + "/input")
        #expect(throws: OutboxError.self) { try staged.writeInput([1], named: "face.png") }
        try setting.expectVictimUntouched()
    }

    @Test("a staged file's own name")
    func stagedFileName() throws {
        let setting = try Setting()
        let staged = try setting.outbox.makeStagingFolder()
        try setting.plant(String(staged.path.dropFirst(setting.outboxFolder.path.count + 1)) + "/face-1.png", toFile: true)
        #expect(throws: OutboxError.self) { try staged.write([1], named: "face-1.png") }
        try setting.expectVictimUntouched()
    }

    @Test("logs/ and the day's log file")
    func logs() throws {
        let setting = try Setting()
        try setting.plant("logs")
        try setting.outbox.log(["event": .string("one")])
        #expect(setting.kind("logs") == .typeDirectory)
        let day = try #require(try FileManager.default.contentsOfDirectory(atPath: setting.outboxFolder.appending("logs")).first)
        try FileManager.default.removeItem(atPath: setting.outboxFolder.appending("logs/\(day)"))
        try setting.plant("logs/\(day)", toFile: true)
        try setting.outbox.log(["event": .string("two")])
        #expect(setting.kind("logs/\(day)") == .typeRegular)
        #expect(try String(contentsOfFile: setting.outboxFolder.appending("logs/\(day)"), encoding: .utf8).contains("two"))
        try setting.expectVictimUntouched()
    }

    @Test("warnings/")
    func warnings() throws {
        let setting = try Setting()
        try setting.plant("warnings")
        let path = try setting.outbox.writeWarning(["kind": .string("test")], kind: "test")
        #expect(setting.kind("warnings") == .typeDirectory)
        #expect(FileManager.default.fileExists(atPath: path))
        try setting.expectVictimUntouched()
    }

    @Test("credits.json")
    func credits() throws {
        let setting = try Setting()
        try setting.plant("credits.json", toFile: true)
        try setting.outbox.replace(setting.outbox.creditsFile, bytes: Array("{}".utf8))
        #expect(setting.kind("credits.json") == .typeRegular)
        #expect(try String(contentsOfFile: setting.outbox.creditsFile, encoding: .utf8) == "{}")
        try setting.expectVictimUntouched()
    }
}
