import FacedropTestSupport
import Testing

@testable import InboxWatcher

@Suite struct FolderScannerTests {
    @Test func findsFilesRecursivelyAndListsFolders() throws {
        let inbox = try TemporaryDirectory(prefix: "facedrop-scan")
        try TestFiles.makeFolder(inbox.appending("a/b"))
        try TestFiles.write(inbox.appending("top.jpg"), "12345")
        try TestFiles.write(inbox.appending("a/b/deep.json"))
        let scan = FolderScanner.scan(inbox.path + "/")
        #expect(scan.folders == [inbox.path, inbox.appending("a"), inbox.appending("a/b")])
        #expect(scan.files.map(\.path) == [inbox.appending("a/b/deep.json"), inbox.appending("top.jpg")])
        let top = try #require(scan.files.last)
        #expect(top.name == "top.jpg")
        #expect(top.folder == inbox.path)
        #expect(top.size == 5)
        #expect(top.kind == .regular)
        #expect(top.linkCount == 1)
        #expect(top.modified > 1_600_000_000 * 1_000_000_000)
        #expect(scan.problems.isEmpty)
    }

    @Test func skipsDotFoldersAndIgnoredNames() throws {
        let inbox = try TemporaryDirectory(prefix: "facedrop-scan")
        try TestFiles.makeFolder(inbox.appending(".facedrop/claimed"))
        try TestFiles.write(inbox.appending(".facedrop/claimed/face.jpg"))
        for name in [".hidden", "a.tmp", "b.PART", "c.partial", "d.crdownload", "e.swp", "~$f.docx", "keep.jpg"] {
            try TestFiles.write(inbox.appending(name))
        }
        let scan = FolderScanner.scan(inbox.path)
        #expect(scan.files.map(\.name) == ["keep.jpg"])
        #expect(scan.folders == [inbox.path])
    }

    @Test func reportsLinksAndFIFOsWithoutFollowingLinkedFolders() throws {
        let inbox = try TemporaryDirectory(prefix: "facedrop-scan")
        let outside = try TemporaryDirectory(prefix: "facedrop-outside")
        try TestFiles.write(outside.appending("elsewhere.jpg"))
        try TestFiles.symlink(outside.path, inbox.appending("linked-folder"))
        try TestFiles.symlink(outside.appending("elsewhere.jpg"), inbox.appending("linked.jpg"))
        try TestFiles.makeFIFO(inbox.appending("pipe.jpg"))
        let scan = FolderScanner.scan(inbox.path)
        let kinds = Dictionary(uniqueKeysWithValues: scan.files.map { ($0.name, $0.kind) })
        #expect(kinds == ["linked-folder": .symlink, "linked.jpg": .symlink, "pipe.jpg": .other])
        #expect(scan.folders == [inbox.path])
    }

    @Test func namesThatAreNotUTF8AreProblemsNotFiles() throws {
        let inbox = try TemporaryDirectory(prefix: "facedrop-scan")
        let raw = try TestFiles.writeRawName(in: inbox.path, name: [0x66, 0xFF, 0x2E, 0x6A, 0x70, 0x67])
        defer { TestFiles.unlinkRaw(raw) }
        let scan = FolderScanner.scan(inbox.path)
        #expect(scan.files.isEmpty)
        #expect(scan.problems.count == 1)
        #expect(scan.problems.first?.contains("not valid UTF-8") == true)
        #expect(scan.problems.first?.contains(#": f\xFF.jpg: "#) == true, "\(scan.problems)")
    }

    @Test func missingRootIsAProblem() {
        let scan = FolderScanner.scan("/nonexistent/facedrop-inbox")
        #expect(scan.folders.isEmpty)
        #expect(scan.problems == ["/nonexistent/facedrop-inbox: No such file or directory"])
    }

    @Test func statOfOnePath() throws {
        let inbox = try TemporaryDirectory(prefix: "facedrop-scan")
        try TestFiles.write(inbox.appending("face.jpg"), "abc")
        try TestFiles.link(inbox.appending("face.jpg"), inbox.appending("same.jpg"))
        let file = try #require(ScannedFile.stat(inbox.appending("face.jpg")))
        let other = try #require(ScannedFile.stat(inbox.appending("same.jpg")))
        #expect(file.size == 3)
        #expect(file.linkCount == 2)
        #expect(file.inode == other.inode && file.device == other.device)
        #expect(ScannedFile.stat(inbox.appending("gone.jpg")) == nil)
    }

    @Test(arguments: [
        ("face.jpg", false), ("face.json", false), ("a.tmp", true), ("A.TMP", true), ("x.part", true),
        ("x.partial", true), ("x.crdownload", true), ("x.swp", true), ("~$report.docx", true),
        (".DS_Store", true), (".facedrop", true), ("", true), ("part", false), ("tmp.jpg", false),
    ])
    func dropNames(name: String, ignored: Bool) {
        #expect(DropNames.isIgnored(name) == ignored)
    }
}
