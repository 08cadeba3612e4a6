import FacedropTestSupport
import Foundation
import Glibc
import Outbox
import SegmindCatalog
import Testing

@Suite("Outbox: staged files and publishing")
struct StagedFileTests {
    @Test("a staged file is written under its final name, never over an existing file or through a link")
    func stagedFileIsExclusive() throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-staged")
        let path = directory.appending("result.json")
        let outbox = OutboxFolders(root: directory.path)
        try StagedFile.write(Array("{}\n".utf8), to: path, in: outbox)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == Array("{}\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["result.json"])
        #expect(throws: OutboxError.self) { try StagedFile.write(Array("again".utf8), to: path, in: outbox) }
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == Array("{}\n".utf8))

        let victim = directory.appending("victim.txt")
        try Data("untouched".utf8).write(to: URL(fileURLWithPath: victim))
        let link = directory.appending("image.png")
        #expect(symlink(victim, link) == 0)
        #expect(throws: OutboxError.self) { try StagedFile.write(Array("image".utf8), to: link, in: outbox) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "untouched")
    }

    @Test("publishing moves a staged folder with its files and input/ whole into done/")
    func publishMovesTheTree() throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-publish")
        let outbox = OutboxFolders(root: directory.path)
        try outbox.prepare()
        let staged = try outbox.makeStagingFolder()
        try outbox.makeFolder("\(staged)/input")
        try StagedFile.write(Array("face".utf8), to: "\(staged)/input/face.png", in: outbox)
        try StagedFile.write(Array("image".utf8), to: "\(staged)/face-1.png", in: outbox)
        try StagedFile.write(Array("{}\n".utf8), to: "\(staged)/result.json", in: outbox)

        let folder = try outbox.publish(staged: staged, outcome: .done, subpath: "team/a", job: "face")
        #expect(folder == "\(directory.path)/done/team/a/face")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["face-1.png", "input", "result.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/input") == ["face.png"])
        #expect(!FileManager.default.fileExists(atPath: staged))
    }
}
