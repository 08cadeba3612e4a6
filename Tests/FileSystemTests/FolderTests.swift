import FileSystem
import Foundation
import Glibc
import Testing

@Suite("Folder: relative operations that never follow a link")
struct FolderTests {
    @Test("create, read, status and entries")
    func roundTrip() throws {
        let root = try TemporaryFolder()
        let folder = try Folder.open(root.path)
        try folder.create("a.txt", bytes: Array("hello".utf8))
        #expect(try folder.read("a.txt", limit: 100) == Array("hello".utf8))
        #expect(try folder.status("a.txt")?.kind == .regular)
        #expect(try folder.status("a.txt")?.size == 5)
        #expect(try folder.status("missing") == nil)
        #expect(try folder.status("missing/deeper") == nil)
        #expect(try folder.entries().map(\.name) == ["a.txt"])
        #expect(throws: FileSystemError.self) { try folder.create("a.txt", bytes: []) }
        #expect(try folder.read("a.txt", limit: 100) == Array("hello".utf8))
    }

    @Test("a root opened with creating: made with its missing parents, opened as it is when there, refused when a file")
    func openCreating() throws {
        let root = try TemporaryFolder()
        let made = try Folder.open("\(root.path)/a/b", creating: true)
        #expect(made.path == "\(root.path)/a/b")
        #expect(try Folder.open(root.path).status("a/b")?.kind == .directory)
        try made.create("x", bytes: [1])
        #expect(try Folder.open("\(root.path)/a/b", creating: true).read("x", limit: 10) == [1])
        #expect(throws: FileSystemError.self) { try Folder.open("\(root.path)/a/b/x", creating: true) }
        #expect(throws: FileSystemError.self) { try Folder.open("\(root.path)/a/b/x/y", creating: true) }
    }

    @Test("`..` never leaves the folder")
    func noClimbing() throws {
        let root = try TemporaryFolder()
        let folder = try Folder.open(root.path)
        #expect(throws: FileSystemError("create", path: "\(root.path)/../x", reason: .outsideFolder)) {
            try folder.create("../x", bytes: [])
        }
    }

    @Test("paths are taken apart by bytes: empty and `.` steps are skipped, `..` is refused, `..x` is a name")
    func pathForms() throws {
        let root = try TemporaryFolder()
        let folder = try Folder.open(root.path)
        _ = try folder.folder("a//b/./..x/", creating: true)
        #expect(try folder.status("a/b/..x")?.kind == .directory)
        #expect(try folder.status("\(root.path)/a/b/..x")?.kind == .directory)
        #expect(try folder.status("\(root.path)//a/./b")?.kind == .directory)
        #expect(try folder.entries().map(\.name) == ["a"])
        #expect(throws: FileSystemError.self) { try folder.status("a/b/../../../x") }
        #expect(throws: FileSystemError("lstat", path: "/elsewhere/x", reason: .outsideFolder)) {
            try folder.status("/elsewhere/x")
        }
    }

    @Test("a link on the way to a file, or at its name, is never followed")
    func linksAreNotFollowed() throws {
        let root = try TemporaryFolder()
        let victim = try TemporaryFolder()
        try Data("secret".utf8).write(to: URL(fileURLWithPath: "\(victim.path)/secret"))
        #expect(symlink(victim.path, "\(root.path)/sub") == 0)
        #expect(symlink("\(victim.path)/secret", "\(root.path)/file") == 0)
        let folder = try Folder.open(root.path)

        #expect(throws: FileSystemError.self) { try folder.read("sub/secret", limit: 100) }
        #expect(throws: FileSystemError("open", path: "\(root.path)/file", reason: .notRegularFile)) {
            try folder.read("file", limit: 100)
        }
        #expect(throws: FileSystemError.self) { try folder.create("sub/new", bytes: [1]) }
        #expect(throws: FileSystemError.self) { try folder.folder("sub") }
        #expect(try folder.status("file")?.kind == .symbolicLink)
        #expect(try victim.names() == ["secret"])

        // Where a folder is made, a link in its place is replaced by a real folder.
        let made = try folder.folder("sub/deeper", creating: true, replacingLinks: true)
        try made.create("inside", bytes: [1])
        #expect(try folder.status("sub")?.kind == .directory)
        #expect(try folder.read("sub/deeper/inside", limit: 10) == [1])
        #expect(try victim.names() == ["secret"])
    }

    @Test("read refuses FIFOs, files with other names and files over the limit")
    func readRefusals() throws {
        let root = try TemporaryFolder()
        let folder = try Folder.open(root.path)
        #expect(mkfifo("\(root.path)/fifo", 0o644) == 0)
        #expect(throws: FileSystemError("open", path: "\(root.path)/fifo", reason: .notRegularFile)) {
            try folder.read("fifo", limit: 10)
        }
        try folder.create("big", bytes: [UInt8](repeating: 7, count: 100))
        #expect(throws: FileSystemError("read", path: "\(root.path)/big", reason: .tooLarge(size: 100, limit: 99))) {
            try folder.read("big", limit: 99)
        }
        #expect(link("\(root.path)/big", "\(root.path)/second") == 0)
        #expect(throws: FileSystemError("open", path: "\(root.path)/big", reason: .hardLinked(links: 2))) {
            try folder.read("big", limit: 1000, singleName: true)
        }
        #expect(try folder.read("big", limit: 1000).count == 100)
    }

    @Test("move without replacing refuses a taken name, for files and folders; with replacing it replaces")
    func moveWithoutReplacing() throws {
        let root = try TemporaryFolder()
        let folder = try Folder.open(root.path)
        try folder.create("a", bytes: [1])
        try folder.create("b", bytes: [2])
        #expect(try folder.move("a", to: "b", replacing: false) == false)
        #expect(try folder.read("b", limit: 10) == [2])
        #expect(try folder.move("a", to: "c", replacing: false))
        #expect(try folder.status("a") == nil)
        #expect(try folder.move("c", to: "b", replacing: true))
        #expect(try folder.read("b", limit: 10) == [1])

        try folder.makeFolder("x")
        try folder.makeFolder("y")
        #expect(try folder.move("x", to: "y", replacing: false) == false)
        let other = try folder.folder("elsewhere", creating: true)
        #expect(try folder.move("x", to: "x2", in: other, replacing: false))
        #expect(try other.status("x2")?.kind == .directory)
        // A dangling link has the name too.
        #expect(symlink("/nonexistent", "\(root.path)/dangling") == 0)
        #expect(try folder.move("y", to: "dangling", replacing: false) == false)
    }

    @Test("replace and append put the file in place of a link, never write through it")
    func replaceAndAppend() throws {
        let root = try TemporaryFolder()
        let victim = try TemporaryFolder()
        try Data("keep".utf8).write(to: URL(fileURLWithPath: "\(victim.path)/file"))
        #expect(symlink("\(victim.path)/file", "\(root.path)/replaced") == 0)
        #expect(symlink("\(victim.path)/file", "\(root.path)/log") == 0)
        let folder = try Folder.open(root.path)
        try folder.replace("replaced", bytes: Array("new".utf8))
        try folder.append("log", bytes: Array("one\n".utf8))
        try folder.append("log", bytes: Array("two\n".utf8))
        #expect(try folder.read("replaced", limit: 10) == Array("new".utf8))
        #expect(try folder.read("log", limit: 10) == Array("one\ntwo\n".utf8))
        #expect(try String(contentsOfFile: "\(victim.path)/file", encoding: .utf8) == "keep")
        #expect(try root.names() == ["log", "replaced"])
    }

    @Test("removeTree removes a link inside, never what it points to")
    func removeTree() throws {
        let root = try TemporaryFolder()
        let victim = try TemporaryFolder()
        try Data("keep".utf8).write(to: URL(fileURLWithPath: "\(victim.path)/file"))
        let folder = try Folder.open(root.path)
        let tree = try folder.folder("a/b", creating: true)
        try tree.create("file", bytes: [1])
        #expect(symlink(victim.path, "\(root.path)/a/link") == 0)
        try folder.removeTree("a")
        #expect(try folder.status("a") == nil)
        #expect(try victim.names() == ["file"])
        try folder.removeTree("a")
    }

    @Test("a lock is exclusive until its file is closed")
    func lock() throws {
        let root = try TemporaryFolder()
        var first: OpenFile? = try Files.lock("\(root.path)/lock")
        #expect(first != nil)
        #expect {
            try Files.lock("\(root.path)/lock")
        } throws: { error in
            (error as? FileSystemError)?.isWouldBlock == true
        }
        first = nil
        _ = try Files.lock("\(root.path)/lock")
    }

    @Test("an open file reads and writes at offsets and truncates")
    func openFile() throws {
        let root = try TemporaryFolder()
        let file = try Files.openFile("\(root.path)/ring")
        try file.write([1, 2, 3, 4], at: 0)
        try file.write([9], at: 2)
        #expect(try file.read(limit: 10) == [1, 2, 9, 4])
        #expect(try file.read(at: 3, limit: 10) == [4])
        try file.truncate(to: 1)
        #expect(try file.read(limit: 10) == [1])
    }

    @Test("a path operation whose folder is missing names the file, with the errno")
    func missingFolderNamesTheFile() throws {
        let root = try TemporaryFolder()
        #expect {
            try Files.create("\(root.path)/missing/file", bytes: [])
        } throws: { error in
            "\(error)" == "create \(root.path)/missing/file: No such file or directory (errno 2)"
        }
        #expect(try Files.status("\(root.path)/missing/file") == nil)
        try Files.remove("\(root.path)/missing/file")
    }
}

/// A fresh folder under the system's temporary folder, removed at the end.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "facedrop-fs-\(UUID().uuidString)"
        try Files.makeFolders(path)
    }

    func names() throws -> [String] {
        try Files.entries(path).compactMap(\.name).sorted()
    }

    deinit { try? Files.removeTree(path) }
}
