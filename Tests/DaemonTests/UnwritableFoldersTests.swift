import FacedropTestSupport
import Foundation
import Logging
import Outbox
import SegmindCatalog
import StrictJSON
import Synchronization
import Testing

@testable import Daemon

@Suite("A folder that refuses writes is reported once per episode")
struct UnwritableFoldersTests {
    /// Collects log lines.
    final class Lines: LogHandler, @unchecked Sendable {
        let storage = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            storage.withLock { $0.append("\(event.level) \(event.message) \(event.metadata?["folder"].map { "\($0)" } ?? "")") }
        }
        var all: [String] { storage.withLock { $0 } }
    }

    @Test("the first refusal logs an error and writes one warning naming the folder and the error; the next ones are quiet until a write succeeds")
    func oncePerEpisode() throws {
        let folder = try TemporaryDirectory(prefix: "facedrop-unwritable")
        let outbox = OutboxFolders(root: folder.appending("outbox"))
        try outbox.prepare()
        let lines = Lines()
        let folders = UnwritableFolders(logger: Logger(label: "test") { _ in lines })
        folders.refused("/var/lib/facedrop/spool", kind: "spool-unwritable", error: "Read-only file system (errno 30)", job: "a", outbox: outbox)
        folders.refused("/var/lib/facedrop/spool", kind: "spool-unwritable", error: "Read-only file system (errno 30)", job: "b", outbox: outbox)
        let warnings = try FileManager.default.contentsOfDirectory(atPath: outbox.warnings)
        #expect(warnings.count == 1 && warnings.first?.hasSuffix("-spool-unwritable.json") == true, "\(warnings)")
        let record = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(outbox.warnings)/\(warnings[0])"))))
        #expect(record["folder"]?.stringValue == "/var/lib/facedrop/spool")
        #expect(record["error"]?.stringValue == "Read-only file system (errno 30)")
        #expect(lines.all.filter { $0.hasPrefix("error") }.count == 1)
        // Another folder is its own episode.
        folders.refused("/srv/outbox", kind: "outbox-unwritable", error: "No space left on device (errno 28)", job: "c", outbox: nil)
        #expect(lines.all.filter { $0.hasPrefix("error") }.count == 2)
        // Writes succeed again: said once; a folder that never refused says nothing.
        folders.accepted("/var/lib/facedrop/spool")
        folders.accepted("/var/lib/facedrop/spool")
        folders.accepted("/somewhere/fine")
        #expect(lines.all.filter { $0.hasPrefix("notice") }.count == 1)
        // A new episode is reported anew.
        folders.refused("/var/lib/facedrop/spool", kind: "spool-unwritable", error: "Read-only file system (errno 30)", job: "d", outbox: outbox)
        #expect(lines.all.filter { $0.hasPrefix("error") }.count == 3)
    }
}
