import FacedropTestSupport
import Foundation
import Glibc
import Outbox
import SegmindCatalog
import StrictJSON
import Testing

/// The outbox never follows a link planted in it, and never derives a name the file system refuses.
@Suite("Outbox: planted links, long names, dropped files")
struct OutboxHostileTests {
    /// A folder outside the outbox with one file, to point links at and check afterwards.
    struct Victim {
        let folder: TemporaryDirectory
        var file: String { folder.appending("victim.txt") }
        static let bytes = Array("not facedrop's\n".utf8)

        init() throws {
            folder = try TemporaryDirectory(prefix: "facedrop-victim")
            try Data(Self.bytes).write(to: URL(fileURLWithPath: file))
        }

        func expectIntact(sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["victim.txt"], sourceLocation: sourceLocation)
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))) == Self.bytes, sourceLocation: sourceLocation)
        }
    }

    static func kind(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    @Test("names that fit are kept; longer ones are cut at a character boundary and keep distinct bases distinct")
    func fittingNames() {
        #expect(FileNames.fitting("photo", suffix: "-1.png") == "photo-1.png")
        let base = String(repeating: "\u{E9}", count: 124) + "a"  // 249 bytes, two-byte characters
        let other = String(repeating: "\u{E9}", count: 124) + "b"
        let first = FileNames.fitting(base, suffix: "-1.jpeg")
        let second = FileNames.fitting(other, suffix: "-1.jpeg")
        #expect(first.utf8.count <= 255 && second.utf8.count <= 255)
        #expect(first != second)
        #expect(first.hasSuffix("-1.jpeg") && first.hasPrefix(String(repeating: "\u{E9}", count: 100)))
        #expect(first == FileNames.fitting(base, suffix: "-1.jpeg"), "not deterministic")
        #expect(FileNames.prefix(of: "a\u{E9}b", maxBytes: 2) == "a")
        #expect(OutboxFolders.jobFolderName(String(repeating: "x", count: 251), attempt: 10_000).utf8.count <= 255)
    }

    @Test("a file with a 255-byte name is written atomically, and a link at its name is replaced, not followed")
    func atomicWrites() throws {
        let folder = try TemporaryDirectory()
        let victim = try Victim()
        let long = folder.appending(String(repeating: "n", count: 250) + ".json")
        try AtomicFile.write(Array("{}".utf8), to: long)
        #expect(try Data(contentsOf: URL(fileURLWithPath: long)) == Data("{}".utf8))
        let linked = folder.appending("credits.json")
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: victim.file)
        try AtomicFile.write(Array("{}".utf8), to: linked)
        #expect(Self.kind(linked) == S_IFREG)
        try victim.expectIntact()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["credits.json", (long as NSString).lastPathComponent])
    }

    @Test("links where the outbox needs folders are replaced by folders; the victims stay intact")
    func linkedFolders() throws {
        let folder = try TemporaryDirectory()
        let victim = try Victim()
        let outbox = OutboxFolders(root: folder.path)
        for name in ["done", "logs", "warnings", ".facedrop-staging"] {
            try FileManager.default.createSymbolicLink(atPath: folder.appending(name), withDestinationPath: victim.folder.path)
        }
        try outbox.prepare()
        try FileManager.default.createSymbolicLink(atPath: folder.appending("done/sub"), withDestinationPath: victim.folder.path)
        let staged = try outbox.makeStagingFolder()
        let published = try outbox.publish(staged, outcome: .done, subpath: "sub/deeper", job: "job")
        #expect(published == folder.appending("done/sub/deeper/job"))
        try outbox.writeWarning(["kind": "test"], kind: "test")
        try outbox.log(["event": "test"])
        for name in ["done", "done/sub", "logs", "warnings", ".facedrop-staging"] {
            #expect(Self.kind(folder.appending(name)) == S_IFDIR, "\(name)")
        }
        try victim.expectIntact()
        // A regular file where a folder belongs is not destroyed: that is an error.
        try FileManager.default.removeItem(atPath: folder.appending("failed"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder.appending("failed")))
        #expect(throws: OutboxError.self) { try outbox.prepare() }
    }

    @Test("the outbox itself may be a link (to another disk)")
    func linkedRoot() throws {
        let folder = try TemporaryDirectory()
        let real = folder.appending("real")
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.appending("outbox"), withDestinationPath: real)
        let outbox = OutboxFolders(root: folder.appending("outbox"))
        try outbox.prepare()
        #expect(Self.kind("\(real)/done") == S_IFDIR)
        #expect(Self.kind(folder.appending("outbox")) == S_IFLNK)
    }

    @Test("the start-up sweep never sweeps through a linked staging folder")
    func sweepKeepsVictims() throws {
        let folder = try TemporaryDirectory()
        let victim = try Victim()
        try Data("x".utf8).write(to: URL(fileURLWithPath: victim.folder.appending(".left.1234.tmp")))
        let outbox = OutboxFolders(root: folder.path)
        try FileManager.default.createSymbolicLink(atPath: outbox.staging, withDestinationPath: victim.folder.path)
        try FileManager.default.createSymbolicLink(atPath: outbox.warnings, withDestinationPath: victim.folder.path)
        let removed = outbox.sweepLeftovers()
        #expect(Set(removed) == [outbox.staging, outbox.warnings])
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: victim.folder.path)) == ["victim.txt", ".left.1234.tmp"])
        #expect(Self.kind(outbox.staging) == nil)
    }

    @Test("a link at a daily log's name is replaced by the log")
    func linkedLog() throws {
        let folder = try TemporaryDirectory()
        let victim = try Victim()
        let outbox = OutboxFolders(root: folder.path)
        let time = Date(timeIntervalSince1970: 1_779_372_192)  // 2026-05-21
        try FileManager.default.createDirectory(atPath: outbox.logs, withIntermediateDirectories: true)
        let log = "\(outbox.logs)/facedrop-2026-05-21.jsonl"
        try FileManager.default.createSymbolicLink(atPath: log, withDestinationPath: victim.file)
        try outbox.log(["event": "one"], at: time)
        try outbox.log(["event": "two"], at: time)
        try victim.expectIntact()
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
    }

    @Test("a link at a job folder's name is skipped, never looked into, and the job takes the next name")
    func linkedJobFolder() throws {
        let folder = try TemporaryDirectory()
        let victim = try Victim()
        let outbox = OutboxFolders(root: folder.path)
        try outbox.prepare()
        try FileManager.default.createSymbolicLink(atPath: folder.appending("done/job"), withDestinationPath: victim.folder.path)
        let published = try outbox.publish(try outbox.makeStagingFolder(), outcome: .done, subpath: "", job: "job")
        #expect(published == folder.appending("done/job_2"))
        #expect(outbox.existingJobFolders(.done, subpath: "", job: "job") == [published])
        try victim.expectIntact()
    }

    @Test("a dropped file with a second name (a hard link) is refused unread; read() still takes it")
    func hardLinkedInput() throws {
        let folder = try TemporaryDirectory()
        let outside = folder.appending("outside.jpg")
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside))
        let inside = folder.appending("inside.jpg")
        #expect(link(outside, inside) == 0)
        #expect(throws: InputFileError.hardLinked(inside, links: 2)) { try InputFile.readDropped(inside, maxBytes: 100) }
        #expect(try InputFile.read(inside, maxBytes: 100) == Array("secret".utf8))
        try FileManager.default.removeItem(atPath: outside)
        #expect(try InputFile.readDropped(inside, maxBytes: 100) == Array("secret".utf8))
    }

    @Test("a FIFO is refused without blocking; a 2 GB sparse file is refused by its size before any read")
    func fifoAndSparseInput() throws {
        let folder = try TemporaryDirectory()
        let fifo = folder.appending("pipe.jpg")
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(throws: InputFileError.notRegularFile(fifo)) { try InputFile.readDropped(fifo, maxBytes: 100) }
        let sparse = folder.appending("big.png")
        _ = FileManager.default.createFile(atPath: sparse, contents: nil)
        #expect(truncate(sparse, 2 << 30) == 0)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: InputFileError.tooLarge(sparse, size: 2 << 30, limit: 20 << 20)) {
                try InputFile.readDropped(sparse, maxBytes: 20 << 20)
            }
        }
        #expect(elapsed < .seconds(1))
    }
}
