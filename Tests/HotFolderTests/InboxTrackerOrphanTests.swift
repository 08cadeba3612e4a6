import Foundation
import HotFolder
import Testing

@Suite("Inbox tracker: orphans")
struct InboxTrackerOrphanTests {
    @Test("A face without its sidecar becomes an orphan orphanAfter after it settled")
    func faceWithoutSidecar() throws {
        var harness = TrackerHarness()
        harness.drop("photo.jpg", at: 0)
        #expect(harness.take(at: 601.9).isEmpty)
        let output = harness.take(at: 602)
        let orphan = try #require(output.orphans.first)
        #expect(output.ready.isEmpty)
        #expect(orphan.reason == "photo.jpg waited 600 s for photo.json")
        #expect(TrackerHarness.names(orphan) == ["photo.jpg"])
        #expect(orphan.subpath == "" && orphan.stem == "photo")
        #expect(orphan.droppedAt == TrackerHarness.wallStart)
        #expect(harness.tracker.pendingCount == 0)
    }

    @Test("A sidecar without its face becomes an orphan with the reason")
    func sidecarWithoutFace() throws {
        var harness = TrackerHarness(orphanAfter: .milliseconds(90_500))
        harness.drop("batch/photo.json", at: 10)
        harness.drop("batch/photo.pose.png", at: 0)
        #expect(harness.take(at: 102).isEmpty)
        let orphan = try #require(harness.take(at: 102.5).orphans.first)
        #expect(orphan.reason == "photo.json waited 90.5 s for its face photo.jpg, .jpeg, .png or .webp")
        #expect(TrackerHarness.names(orphan) == ["photo.json", "photo.pose.png"])
        #expect(orphan.subpath == "batch")
    }

    @Test("A pending orphan that gets its partner before the deadline becomes a job")
    func partnerBeforeDeadline() throws {
        var harness = TrackerHarness()
        harness.drop("photo.json", at: 0)
        #expect(harness.take(at: 500).isEmpty)
        harness.drop("photo.jpeg", at: 599)
        let output = harness.take(at: 601)
        #expect(output.orphans.isEmpty)
        #expect(output.ready.count == 1)
        #expect(harness.take(at: 2000).isEmpty)
    }

    @Test("Two faces with one stem are ambiguous and end as an orphan together")
    func ambiguousFaces() throws {
        var harness = TrackerHarness()
        harness.drop("photo.png", at: 0)
        harness.dropPair("photo", at: 0)
        #expect(harness.take(at: 2).isEmpty)
        let orphan = try #require(harness.take(at: 602).orphans.first)
        #expect(orphan.reason == "photo.jpg and photo.png share the stem photo; a job has one face")
        #expect(TrackerHarness.names(orphan) == ["photo.jpg", "photo.json", "photo.png"])
    }

    @Test("Where sidecars are optional, a lone face is never an orphan")
    func optionalLoneFaceNeverOrphan() {
        var harness = TrackerHarness(sidecarRequired: false)
        harness.drop("other.json", size: 0, at: 0)
        harness.drop("photo.jpg", at: 0)
        #expect(harness.take(at: 2).isEmpty, "held while other.json is unread")
        let output = harness.take(at: 602)
        #expect(output.orphans.map(\.stem) == ["other"])
        #expect(output.ready.map(\.stem) == ["photo"])
    }
}
