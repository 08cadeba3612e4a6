import FacedropTestSupport
import Foundation
import MetricsExporter
import Testing

@Suite("The node_exporter textfile: written whole by a rename, never in place")
struct MetricsTextfileTests {
    @Test("the file holds the whole text, is world-readable, and no temporary file is left beside it")
    func writes() throws {
        let folder = try TemporaryDirectory()
        let textfile = MetricsTextfile(path: folder.appending("facedrop.prom"))
        try textfile.write(Array("# TYPE facedrop_jobs gauge\nfacedrop_jobs 3\n".utf8))
        #expect(try String(contentsOfFile: textfile.path, encoding: .utf8) == "# TYPE facedrop_jobs gauge\nfacedrop_jobs 3\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["facedrop.prom"])
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: textfile.path)[.posixPermissions] as? Int)
        #expect(mode & 0o044 == 0o044, "node_exporter runs as another user and must read the file: mode \(String(mode, radix: 8))")
    }

    @Test("a reader that opened the old file keeps reading the old text whole: the new one arrives by rename")
    func replacesByRename() throws {
        let folder = try TemporaryDirectory()
        let textfile = MetricsTextfile(path: folder.appending("facedrop.prom"))
        let old = String(repeating: "facedrop_jobs 1\n", count: 1000)
        try textfile.write(Array(old.utf8))
        let reader = try #require(FileHandle(forReadingAtPath: textfile.path))
        defer { try? reader.close() }
        try textfile.write(Array("facedrop_jobs 2\n".utf8))
        #expect(String(decoding: try reader.readToEnd() ?? Data(), as: UTF8.self) == old)
        #expect(try String(contentsOfFile: textfile.path, encoding: .utf8) == "facedrop_jobs 2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["facedrop.prom"])
    }

    @Test("a folder that is not there is an error to report, not a crash")
    func missingFolder() throws {
        let folder = try TemporaryDirectory()
        #expect(throws: (any Error).self) {
            try MetricsTextfile(path: folder.appending("absent/facedrop.prom")).write(Array("facedrop_jobs 1\n".utf8))
        }
    }
}
