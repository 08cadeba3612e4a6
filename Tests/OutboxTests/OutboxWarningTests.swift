import FacedropTestSupport
import Foundation
import Outbox
import SegmindCatalog
import StrictJSON
import Testing

@Suite("Warning files in the outbox")
struct OutboxWarningTests {
    @Test("a warning is named by its UTC second and kind; a second one in the same second gets -2")
    func naming() throws {
        let folder = try TemporaryDirectory()
        let outbox = OutboxFolders(root: folder.path)
        let time = Date(timeIntervalSince1970: 1_779_372_192)  // 2026-05-21T14:03:12Z
        let first = try outbox.writeWarning(["kind": "credits-low"], kind: "credits-low", at: time)
        let second = try outbox.writeWarning(["kind": "credits-low"], kind: "credits-low", at: time)
        #expect(first == "\(outbox.warnings)/20260521T140312Z-credits-low.json")
        #expect(second == "\(outbox.warnings)/20260521T140312Z-credits-low-2.json")
        let record = try JSONParser().parse(Array(try Data(contentsOf: URL(fileURLWithPath: first))))
        #expect(record["kind"]?.stringValue == "credits-low")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: outbox.warnings).sorted() == [
                "20260521T140312Z-credits-low-2.json", "20260521T140312Z-credits-low.json",
            ]
        )
    }
}
