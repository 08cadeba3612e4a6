import Foundation
import Testing

@testable import HotFolder

@Suite("Inbox tracker: hostile names and entries")
struct InboxTrackerHostileTests {
    @Test("NFC and NFD twins of one name are two files and two jobs, each with its own sidecar")
    func normalisationTwins() throws {
        var harness = TrackerHarness()
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed, "Swift compares these as equal; the file system does not")
        harness.drop("\(composed).jpg", inode: 1, at: 0)
        harness.drop("\(composed).json", inode: 2, at: 0)
        harness.drop("\(decomposed).jpg", inode: 3, at: 0)
        harness.drop("\(decomposed).json", inode: 4, at: 0)
        #expect(harness.tracker.pendingCount == 4)
        let ready = harness.take(at: 3).ready
        #expect(ready.count == 2)
        let pairs = Set(ready.map { job in job.files.map { Array($0.path.utf8) } })
        let expected = Set(
            [composed, decomposed].map { stem in
                ["\(stem).jpg", "\(stem).json"].map { Array(TrackerHarness.path($0).utf8) }
            }
        )
        #expect(pairs == expected, "a face was paired with its twin's sidecar")
        #expect(Set(ready.map { Array($0.stem.utf8) }) == Set([Array(composed.utf8), Array(decomposed.utf8)]))
    }

    @Test("A twin removed is forgotten alone; the other stays pending")
    func forgettingOneTwin() {
        var harness = TrackerHarness()
        harness.drop("caf\u{E9}.jpg", inode: 1, at: 0)
        harness.drop("cafe\u{301}.jpg", inode: 2, at: 0)
        harness.tracker.forget(path: TrackerHarness.path("cafe\u{301}.jpg"))
        #expect(harness.tracker.pendingCount == 1)
        harness.tracker.reconcile([harness.snapshot("caf\u{E9}.jpg", inode: 1)], under: TrackerHarness.root, at: harness.at(1))
        #expect(harness.tracker.pendingCount == 1)
    }

    @Test(
        "A link, FIFO or device under a face or sidecar name is never taken; the partner's orphan reason names it",
        arguments: [(FileSnapshot.Kind.symbolicLink, "a symbolic link"), (.fifo, "a FIFO"), (.characterDevice, "a character device")]
    )
    func refusedPartner(kind: FileSnapshot.Kind, described: String) throws {
        var harness = TrackerHarness()
        var face = harness.snapshot("photo.jpg")
        face.kind = kind
        harness.tracker.observe(face, at: harness.at(0))
        harness.drop("photo.json", at: 0)
        var sidecar = harness.snapshot("other.json")
        sidecar.kind = kind
        harness.tracker.observe(sidecar, at: harness.at(0))
        harness.drop("other.png", at: 0)
        #expect(harness.take(at: 3).ready.isEmpty)
        let orphans = harness.take(at: 603).orphans
        #expect(orphans.map(\.stem) == ["other", "photo"])
        #expect(orphans.allSatisfy { $0.files.count == 1 }, "a refused entry was handed over to be claimed")
        #expect(
            orphans.first { $0.stem == "photo" }?.reason
                == "photo.json waited 600 s for its face photo.jpg, .jpeg, .png or .webp; photo.jpg is \(described), which facedrop never opens or takes: it was left in place"
        )
        #expect(
            orphans.first { $0.stem == "other" }?.reason
                == "other.png waited 600 s for other.json; other.json is \(described), which facedrop never opens or takes: it was left in place"
        )
    }

    @Test("A scan that only knows \"not regular\" is completed by lstat; a real file replacing the entry is taken")
    func refusedKindFromLstat() throws {
        var harness = TrackerHarness()
        var link = harness.snapshot("photo.jpg")
        link.isRegular = false
        harness.disk.place(FileSnapshot(path: link.path, size: 11, modified: 1, changed: 1, inode: 9, kind: .symbolicLink))
        harness.tracker.reconcile([link], under: TrackerHarness.root, at: harness.at(0))
        harness.drop("photo.json", at: 0)
        let orphan = try #require(harness.take(at: 603).orphans.first)
        #expect(orphan.reason.hasSuffix("photo.jpg is a symbolic link, which facedrop never opens or takes: it was left in place"))

        harness.drop("again.json", at: 700)
        var entry = harness.snapshot("again.jpg")
        entry.kind = .fifo
        harness.tracker.observe(entry, at: harness.at(700))
        harness.drop("again.jpg", version: 2, inode: 77, at: 701)
        let ready = harness.take(at: 704).ready
        #expect(ready.map(\.stem) == ["again"])
    }

    @Test("A claimed file put back under a 255-byte name gets a restored name within NAME_MAX")
    func restoredNameFitsNameMax() {
        let long = String(repeating: "\u{E9}", count: 125) + ".jpeg"
        #expect(long.utf8.count == 255)
        let restored = JobClaimer.restoredName(long, attempt: 12)
        #expect(restored.utf8.count <= 255)
        #expect(restored.hasSuffix(".restored-12.jpeg"))
        #expect(JobClaimer.restoredName("photo.jpg", attempt: 1) == "photo.restored-1.jpg")
        #expect(JobClaimer.restoredName("photo", attempt: 2) == "photo.restored-2")
    }
}
