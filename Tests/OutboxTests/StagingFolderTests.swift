import FacedropTestSupport
import Foundation
import Glibc
import Outbox
import SegmindCatalog
import Testing

@Suite("Outbox: staging folders and publishing")
struct StagingFolderTests {
    @Test("a staged file is written under its final name, never over an existing file or through a link")
    func stagedFileIsExclusive() throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-staged")
        let outbox = OutboxFolders(root: directory.path)
        let staged = try outbox.makeStagingFolder()
        #expect(staged.path.hasPrefix("\(outbox.staging)/"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: staged.path) == ["input"])
        let path = "\(staged.path)/result.json"
        try staged.write(Array("{}\n".utf8), named: "result.json")
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == Array("{}\n".utf8))
        #expect(throws: OutboxError.self) { try staged.write(Array("again".utf8), named: "result.json") }
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == Array("{}\n".utf8))

        let victim = directory.appending("victim.txt")
        try Data("untouched".utf8).write(to: URL(fileURLWithPath: victim))
        #expect(symlink(victim, "\(staged.path)/image.png") == 0)
        #expect(symlink(victim, "\(staged.path)/input/face.png") == 0)
        #expect(throws: OutboxError.self) { try staged.write(Array("image".utf8), named: "image.png") }
        #expect(throws: OutboxError.self) { try staged.writeInput(Array("face".utf8), named: "face.png") }
        #expect(throws: OutboxError.self) { try staged.write([1], named: "../escape.png") }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "untouched")
        #expect(!FileManager.default.fileExists(atPath: "\(outbox.staging)/escape.png"))
    }

    @Test("publishing moves a staged folder with its files and input/ whole into done/")
    func publishMovesTheTree() throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-publish")
        let outbox = OutboxFolders(root: directory.path)
        try outbox.prepare()
        let staged = try outbox.makeStagingFolder()
        try staged.writeInput(Array("face".utf8), named: "face.png")
        try staged.write(Array("image".utf8), named: "face-1.png")
        try staged.write(Array("{}\n".utf8), named: "result.json")

        let folder = try outbox.publish(staged, outcome: .done, subpath: "team/a", job: "face")
        #expect(folder == "\(directory.path)/done/team/a/face")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["face-1.png", "input", "result.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/input") == ["face.png"])
        #expect(!FileManager.default.fileExists(atPath: staged.path))
    }

    @Test("a named staging folder starts empty: what an earlier attempt left under the name is removed")
    func namedFolderStartsEmpty() throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-staged")
        let outbox = OutboxFolders(root: directory.path)
        let first = try outbox.makeStagingFolder(named: "claim-host")
        try first.write([1], named: "face-1.png")
        try first.writeInput([2], named: "face.png")
        let second = try outbox.makeStagingFolder(named: "claim-host")
        #expect(second.path == first.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: second.path) == ["input"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(second.path)/input") == [])
        try second.write([3], named: "face-1.png")
    }

    @Test("a staging folder taken away while it is filled (another host adopted the claim) is never published")
    func takenFolderIsNotPublished() throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-staged")
        let outbox = OutboxFolders(root: directory.path)
        try outbox.prepare()
        let staged = try outbox.makeStagingFolder(named: "claim-hung-host")
        try staged.writeInput([1], named: "face.png")
        #expect(outbox.takeStagingFolders(prefix: "claim-", keeping: "claim-adopter") == 1)
        // The hung host writes on through the folder it holds: nothing lands at the staging folder's name again.
        _ = try? staged.write([2], named: "face-1.png")
        #expect(!FileManager.default.fileExists(atPath: staged.path))
        #expect(throws: OutboxError.self) { try outbox.publish(staged, outcome: .done, subpath: "", job: "face") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory.path)/done") == [])
    }
}
