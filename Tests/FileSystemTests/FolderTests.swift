import FileSystem
import Foundation
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
        #expect(try folder.entries().map(\.name) == ["a.txt"])
        #expect(throws: FileSystemError.self) { try folder.create("a.txt", bytes: []) }
    }
}

/// A fresh folder under the system's temporary folder, removed at the end.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "facedrop-fs-\(UUID().uuidString)"
        try Files.makeFolders(path)
    }

    deinit { try? Files.removeTree(path) }
}
