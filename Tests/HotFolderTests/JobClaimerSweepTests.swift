import Foundation
import HotFolder
import Testing

@Suite("Job claimer: start-up sweep")
struct JobClaimerSweepTests {
    @Test("Claims the journal does not know are put back and removed; known claims stay")
    func restoresUnknownKeepsKnown() throws {
        let fixture = try ClaimFixture()
        let claimer = fixture.claimer()
        let known = try #require(try claimer.claim(fixture.dropJob("kept")).claimed)
        let unknownJob = try fixture.dropJob("lost", in: "team", pose: true)
        let unknown = try #require(try claimer.claim(unknownJob).claimed)

        let restored = claimer.sweep(known: [known.folder])
        #expect(Set(restored) == Set(unknownJob.files.map(\.path)))
        #expect(try fixture.contents("\(fixture.inbox)/team/lost.jpg") == "face of lost")
        #expect(fixture.claimFolders() == [known.folder])
        #expect(!fixture.exists(unknown.folder))
        #expect(fixture.exists(try #require(known.facePath)))
    }

    @Test("A name taken meanwhile gets .restored-N before its extension; the newcomer is untouched")
    func restoredSuffix() throws {
        let fixture = try ClaimFixture()
        let claimer = fixture.claimer()
        _ = try claimer.claim(fixture.dropJob("photo"))
        try fixture.write("photo.jpg", "new face")
        try fixture.write("photo.restored-1.jpg", "older restore")

        let restored = claimer.sweep(known: [])
        #expect(Set(restored) == ["\(fixture.inbox)/photo.restored-2.jpg", "\(fixture.inbox)/photo.json"])
        #expect(try fixture.contents("\(fixture.inbox)/photo.jpg") == "new face")
        #expect(try fixture.contents("\(fixture.inbox)/photo.restored-1.jpg") == "older restore")
        #expect(try fixture.contents("\(fixture.inbox)/photo.restored-2.jpg") == "face of photo")
        #expect(fixture.claimFolders().isEmpty)
    }

    @Test("A subfolder removed meanwhile is made again for the restored files")
    func recreatesFolder() throws {
        let fixture = try ClaimFixture()
        let claimer = fixture.claimer()
        _ = try claimer.claim(fixture.dropJob("photo", in: "gone/deep"))
        try FileManager.default.removeItem(atPath: "\(fixture.inbox)/gone")
        #expect(claimer.sweep(known: []).count == 2)
        #expect(try fixture.contents("\(fixture.inbox)/gone/deep/photo.jpg") == "face of photo")
    }

    @Test("Claims of another owner are left alone: another daemon may be working on them")
    func otherOwnersUntouched() throws {
        let fixture = try ClaimFixture()
        let theirs = try #require(try fixture.claimer(owner: "other-host").claim(fixture.dropJob("photo")).claimed)
        #expect(fixture.claimer(owner: "this-host").sweep(known: []).isEmpty)
        #expect(fixture.claimFolders() == [theirs.folder])
        #expect(fixture.exists(try #require(theirs.facePath)))
    }

    @Test("Half-made claim folders and interrupted discards are removed; foreign entries are not")
    func halfMadeFolders() throws {
        let fixture = try ClaimFixture()
        let work = "\(fixture.inbox)/.facedrop"
        let manager = FileManager.default
        try manager.createDirectory(atPath: "\(work)/20250101T000000-00ff", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: "\(work)/20250101T000001-abcd/input", withIntermediateDirectories: true)
        try fixture.write(".facedrop/20250101T000002-beef.discard/input/photo.jpg", "finished")
        try fixture.write(".facedrop/20250101T000003-cafe/input/stray.jpg", "no record")
        try manager.createDirectory(atPath: "\(work)/keep-me", withIntermediateDirectories: true)

        let restored = fixture.claimer().sweep(known: [])
        #expect(restored == ["\(fixture.inbox)/stray.jpg"], "files without a record go to the inbox root")
        #expect(fixture.claimFolders() == ["\(work)/keep-me"])
    }

    @Test("A record naming a folder outside the inbox sends the files to the inbox root instead")
    func recordOutsideInbox() throws {
        let fixture = try ClaimFixture()
        let claimer = fixture.claimer()
        let claimed = try #require(try claimer.claim(fixture.dropJob("photo")).claimed)
        let record = "\(claimed.folder)/claim.json"
        let text = try fixture.contents(record).replacingOccurrences(of: fixture.inbox, with: "/tmp")
        try FileManager.default.removeItem(atPath: record)
        try Data(text.utf8).write(to: URL(fileURLWithPath: record))

        #expect(Set(claimer.sweep(known: [])) == ["\(fixture.inbox)/photo.jpg", "\(fixture.inbox)/photo.json"])
    }
}
