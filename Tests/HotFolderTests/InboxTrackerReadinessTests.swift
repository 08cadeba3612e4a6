import Foundation
import HotFolder
import Testing

@Suite("Inbox tracker: when a file is written")
struct InboxTrackerReadinessTests {
    @Test("A pair becomes one job once its snapshots stayed unchanged for the settle time")
    func settlesOnUnchangedSnapshots() throws {
        var harness = TrackerHarness()
        harness.dropPair("photo", at: 0)
        // Re-observing an unchanged file must not restart the clock.
        harness.drop("photo.jpg", at: 1.5)
        #expect(harness.take(at: 1.9).isEmpty)
        let output = harness.take(at: 2)
        let job = try #require(output.ready.first)
        #expect(output.ready.count == 1)
        #expect(output.orphans.isEmpty)
        #expect(TrackerHarness.names(job) == ["photo.jpg", "photo.json"])
        #expect(job.folder == "/inbox")
        #expect(job.subpath == "")
        #expect(job.stem == "photo")
        #expect(job.droppedAt == TrackerHarness.wallStart)
        #expect(harness.tracker.pendingCount == 0)
        #expect(harness.take(at: 100).isEmpty)
    }

    @Test("A slow chunked write keeps the file pending until it stops growing")
    func slowChunkedWrite() throws {
        var harness = TrackerHarness()
        harness.drop("photo.json", at: 0)
        for second in 0...20 {
            harness.drop("photo.jpg", size: Int64(100 * (second + 1)), version: Int64(second), at: Double(second))
            #expect(harness.take(at: Double(second) + 1.5).isEmpty)
        }
        let job = try #require(harness.take(at: 22).ready.first)
        #expect(job.face.size == 2100)
    }

    @Test("An append after the writer closed the file restarts the wait")
    func appendAfterClose() throws {
        var harness = TrackerHarness()
        harness.dropPair("photo", at: 0)
        harness.drop("photo.jpg", size: 180, version: 2, at: 1.9)
        #expect(harness.take(at: 2).isEmpty)
        #expect(harness.take(at: 3.8).isEmpty)
        let job = try #require(harness.take(at: 3.9).ready.first)
        #expect(job.face.size == 180)
    }

    @Test("A file written under a temporary name counts from when its final name appears")
    func temporaryNameThenRename() throws {
        var harness = TrackerHarness()
        harness.drop("photo.json", at: 0)
        for second in 0..<5 {
            harness.drop("photo.jpg.part", size: Int64(100 * (second + 1)), version: Int64(second), at: Double(second))
        }
        #expect(harness.tracker.pendingCount == 1)
        harness.tracker.forget(path: "/inbox/photo.jpg.part")
        harness.drop("photo.jpg", size: 500, version: 4, at: 5)
        #expect(harness.take(at: 6.9).isEmpty)
        let job = try #require(harness.take(at: 7).ready.first)
        #expect(job.face.path == "/inbox/photo.jpg")
        #expect(job.droppedAt == TrackerHarness.wallStart)
    }

    @Test("A hard link into place (only the inode differs) restarts the wait")
    func hardLinkIntoPlace() throws {
        var harness = TrackerHarness()
        harness.drop("photo.json", at: 0)
        harness.drop("photo.jpg", inode: 10, at: 0)
        harness.drop("photo.jpg", inode: 11, at: 1.5)
        #expect(harness.take(at: 2).isEmpty)
        let job = try #require(harness.take(at: 3.5).ready.first)
        #expect(job.face.inode == 11)
    }

    @Test("A ctime change alone (chmod, link count) restarts the wait")
    func ctimeChange() {
        var harness = TrackerHarness()
        harness.drop("photo.json", at: 0)
        var face = harness.drop("photo.jpg", at: 0)
        face.changed += 1
        harness.tracker.observe(face, at: harness.at(1))
        #expect(harness.take(at: 2.5).isEmpty)
        #expect(harness.take(at: 3).ready.count == 1)
    }

    @Test("A sidecar that arrives minutes after the image still makes one job")
    func sidecarArrivesLater() throws {
        var harness = TrackerHarness()
        harness.drop("photo.jpg", at: 0)
        for second in [2.0, 60, 299] { #expect(harness.take(at: second).isEmpty) }
        harness.drop("photo.json", at: 300)
        let output = harness.take(at: 302)
        let job = try #require(output.ready.first)
        #expect(output.ready.count == 1 && output.orphans.isEmpty)
        #expect(job.sidecar?.path == "/inbox/photo.json")
        #expect(job.droppedAt == TrackerHarness.wallStart)
    }

    @Test("A sidecar rewritten after the pair looked settled, before it was taken, waits again")
    func sidecarRewrittenBeforeTake() throws {
        var harness = TrackerHarness()
        harness.drop("photo.jpg", at: 0)
        harness.drop("photo.json", size: 40, at: 0)
        harness.drop("photo.json", size: 60, version: 2, at: 2.5)
        #expect(harness.take(at: 2.5).isEmpty)
        #expect(harness.take(at: 4.4).isEmpty)
        let job = try #require(harness.take(at: 4.5).ready.first)
        #expect(job.sidecar?.size == 60)
    }

    @Test("A rewritten sidecar is read again: a pose_image it dropped is no longer waited for")
    func rewrittenSidecarIsReadAgain() throws {
        var harness = TrackerHarness()
        harness.drop("photo.jpg", at: 0)
        harness.drop("photo.json", sidecar: #"{"pose_image": "ref.png"}"#, at: 0)
        #expect(harness.take(at: 3).isEmpty)
        harness.drop("photo.json", size: 2, version: 2, sidecar: "{}", at: 4)
        #expect(harness.take(at: 5).isEmpty)
        let job = try #require(harness.take(at: 6).ready.first)
        #expect(job.pose == nil)
    }

    @Test("An empty file is never ready; it ends as an orphan that says so")
    func emptyFileNeverReady() throws {
        var harness = TrackerHarness()
        harness.drop("photo.jpg", size: 0, at: 0)
        harness.drop("photo.json", at: 0)
        #expect(harness.take(at: 2).isEmpty)
        #expect(harness.take(at: 601).isEmpty)
        let orphan = try #require(harness.take(at: 602).orphans.first)
        #expect(orphan.reason == "photo.jpg was still empty after 600 s")
        #expect(TrackerHarness.names(orphan) == ["photo.jpg", "photo.json"])
    }

    @Test(
        "Ignored names and places are never tracked",
        arguments: [
            ".photo.jpg", "photo.jpg.tmp", "photo.JPG.TMP", "photo.jpg.part", "photo.partial", "photo.crdownload",
            "photo.jpg.swp", "~$photo.jpg", "notes.txt", "README", ".facedrop/20250101T000000-ab/input/photo.jpg",
            "sub/.hidden/photo.jpg", "/elsewhere/photo.jpg", "/inboxes/photo.jpg",
        ]
    )
    func ignoredNames(name: String) {
        var harness = TrackerHarness(sidecarRequired: false)
        harness.drop(name, at: 0)
        #expect(harness.tracker.pendingCount == 0)
        #expect(harness.take(at: 1000).isEmpty)
    }

    @Test("Only regular files are tracked; a file replaced by a link is forgotten")
    func nonRegularFiles() {
        var harness = TrackerHarness(sidecarRequired: false)
        var face = harness.drop("photo.jpg", at: 0)
        #expect(harness.tracker.pendingCount == 1)
        face.isRegular = false
        harness.tracker.observe(face, at: harness.at(1))
        #expect(harness.tracker.pendingCount == 0)
        #expect(harness.take(at: 1000).isEmpty)
    }
}
