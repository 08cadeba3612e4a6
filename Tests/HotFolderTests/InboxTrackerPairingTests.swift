import Foundation
import HotFolder
import Testing

@Suite("Inbox tracker: which files make a job")
struct InboxTrackerPairingTests {
    @Test("A <stem>.pose.<ext> joins its job and is not a face of its own")
    func dotPoseJoinsJob() throws {
        var harness = TrackerHarness()
        harness.drop("photo.JPG", at: 0)
        harness.drop("photo.json", at: 0)
        harness.drop("photo.pose.png", at: 1)
        #expect(harness.take(at: 2.5).isEmpty)
        let output = harness.take(at: 3)
        let job = try #require(output.ready.first)
        #expect(output.ready.count == 1)
        #expect(TrackerHarness.names(job) == ["photo.JPG", "photo.json", "photo.pose.png"])
        #expect(harness.tracker.pendingCount == 0)
    }

    @Test("A pose alone never makes a job, even where sidecars are optional")
    func dotPoseAlone() throws {
        var harness = TrackerHarness(sidecarRequired: false)
        harness.drop("photo.pose.webp", at: 0)
        #expect(harness.take(at: 100).isEmpty)
        let output = harness.take(at: 602)
        #expect(output.ready.isEmpty)
        let orphan = try #require(output.orphans.first)
        #expect(orphan.reason == "photo.pose.webp waited 600 s for its face photo.jpg, .jpeg, .png or .webp")
    }

    @Test("A pose named by pose_image is waited for, then joins the job")
    func namedPoseArrivesLater() throws {
        var harness = TrackerHarness()
        harness.drop("photo.jpg", at: 0)
        harness.drop("photo.json", sidecar: #"{"prompt": "x", "pose_image": "ref.webp"}"#, at: 0)
        #expect(harness.take(at: 2).isEmpty)
        #expect(harness.take(at: 60).isEmpty)
        harness.drop("ref.webp", at: 100)
        #expect(harness.take(at: 101).isEmpty)
        let output = harness.take(at: 102)
        let job = try #require(output.ready.first)
        #expect(output.ready.count == 1, "the named pose must not become a job of its own")
        #expect(job.pose?.path == "/inbox/ref.webp")
        #expect(harness.tracker.pendingCount == 0)
    }

    @Test("A named pose that never appears turns the job into an orphan")
    func namedPoseNeverAppears() throws {
        var harness = TrackerHarness()
        harness.drop("photo.jpg", at: 0)
        harness.drop("photo.json", sidecar: #"{"pose_image": "ref.png"}"#, at: 0)
        #expect(harness.take(at: 601).isEmpty)
        let output = harness.take(at: 602)
        let orphan = try #require(output.orphans.first)
        #expect(output.ready.isEmpty)
        #expect(orphan.reason == "photo.json names pose_image ref.png, which did not appear within 600 s")
        #expect(TrackerHarness.names(orphan) == ["photo.jpg", "photo.json"])
    }

    @Test("A named pose with no image extension is found on disk and waited for")
    func namedPoseWithOtherName() throws {
        var harness = TrackerHarness()
        let pose = harness.snapshot("pose-reference")
        harness.disk.place(pose)
        harness.drop("pose-reference", at: 0)
        #expect(harness.tracker.pendingCount == 0, "a name with no role is not tracked before a sidecar names it")
        harness.drop("photo.jpg", at: 0)
        harness.drop("photo.json", sidecar: #"{"pose_image": "pose-reference"}"#, at: 0)
        #expect(harness.take(at: 2).isEmpty, "the pose found at 2 s settles from then")
        harness.drop("pose-reference", at: 3)
        let job = try #require(harness.take(at: 4).ready.first)
        #expect(job.pose?.path == "/inbox/pose-reference")
    }

    @Test("A named pose with no image extension that appears later is tracked from its first event")
    func namedPoseWithOtherNameArrivesLater() throws {
        var harness = TrackerHarness()
        harness.dropPair("photo", at: 0)
        harness.disk.writeSidecar("/inbox/photo.json", #"{"pose_image": "pose-reference"}"#)
        #expect(harness.take(at: 2).isEmpty)
        harness.drop("pose-reference", at: 50)
        #expect(harness.tracker.pendingCount == 3)
        #expect(harness.take(at: 51).isEmpty)
        let job = try #require(harness.take(at: 52).ready.first)
        #expect(job.pose?.path == "/inbox/pose-reference")
    }

    @Test(
        "A pose_image that is not a plain name is not waited for; validation reports it",
        arguments: ["../ref.png", "sub/ref.png", ".hidden.png", "ref.png.part", "photo.jpg", ""]
    )
    func namedPoseNotWaitedFor(poseImage: String) throws {
        var harness = TrackerHarness()
        harness.drop("photo.jpg", at: 0)
        harness.drop("photo.json", sidecar: #"{"pose_image": "\#(poseImage)"}"#, at: 0)
        let job = try #require(harness.take(at: 2).ready.first)
        #expect(job.pose == nil)
    }

    @Test("A sidecar that does not parse or is too large still lets the job go to validation")
    func unreadableSidecars() throws {
        var harness = TrackerHarness(maxSidecarBytes: 64)
        harness.drop("a.jpg", at: 0)
        harness.drop("a.json", sidecar: "{not json", at: 0)
        harness.drop("b.jpg", at: 0)
        harness.drop("b.json", size: 65, sidecar: #"{"pose_image": "ref.png"}"#, at: 0)
        let output = harness.take(at: 2)
        #expect(output.ready.map(\.stem).sorted() == ["a", "b"])
        #expect(output.ready.allSatisfy { $0.pose == nil })
    }

    @Test("Where sidecars are optional, a face alone becomes a job once settled")
    func optionalSidecarFaceAlone() throws {
        var harness = TrackerHarness(sidecarRequired: false)
        harness.drop("photo.webp", at: 0)
        #expect(harness.take(at: 1.9).isEmpty)
        let job = try #require(harness.take(at: 2).ready.first)
        #expect(job.sidecar == nil)
        #expect(job.pose == nil)
    }

    @Test("Where sidecars are optional, a face waits for its sidecar that is still being written")
    func optionalSidecarWaitsForUnsettledSidecar() throws {
        var harness = TrackerHarness(sidecarRequired: false)
        harness.drop("photo.png", at: 0)
        harness.drop("photo.json", size: 0, at: 1.5)
        harness.drop("photo.json", size: 90, version: 2, at: 2.5)
        #expect(harness.take(at: 2).isEmpty)
        #expect(harness.take(at: 4).isEmpty)
        let job = try #require(harness.take(at: 4.5).ready.first)
        #expect(job.sidecar?.size == 90)
    }

    @Test("Where sidecars are optional, a face some unread sidecar names as its pose is not a job of its own")
    func optionalSidecarFaceNamedAsPose() throws {
        var harness = TrackerHarness(sidecarRequired: false)
        harness.drop("ref.png", at: 0)
        harness.drop("other.jpg", at: 0)
        harness.drop("other.json", sidecar: #"{"pose_image": "ref.png"}"#, at: 1)
        #expect(harness.take(at: 2).isEmpty)
        let output = harness.take(at: 3)
        let job = try #require(output.ready.first)
        #expect(output.ready.count == 1)
        #expect(TrackerHarness.names(job) == ["other.jpg", "other.json", "ref.png"])
    }

    @Test("Jobs in subfolders carry their subpath; files in different folders never pair")
    func subfolders() throws {
        var harness = TrackerHarness()
        harness.dropPair("team/a/photo", at: 0)
        harness.drop("photo.jpg", at: 0)
        harness.drop("team/photo.json", at: 0)
        let output = harness.take(at: 2)
        let job = try #require(output.ready.first)
        #expect(output.ready.count == 1)
        #expect(job.folder == "/inbox/team/a")
        #expect(job.subpath == "team/a")
        #expect(harness.tracker.pendingCount == 2)
    }

    @Test("A file removed before it settled is forgotten")
    func forget() {
        var harness = TrackerHarness()
        harness.dropPair("photo", at: 0)
        harness.tracker.forget(path: "/inbox/photo.jpg")
        #expect(harness.tracker.pendingCount == 1)
        #expect(harness.take(at: 10).isEmpty)
    }

    @Test("Reconcile forgets vanished files, finds new ones and leaves other folders alone")
    func reconcile() throws {
        var harness = TrackerHarness()
        harness.drop("sub/old.jpg", at: 0)
        harness.drop("sub/photo.jpg", at: 0)
        harness.drop("subway/keep.jpg", at: 0)
        let scan = [
            harness.snapshot("sub/photo.jpg"), harness.snapshot("sub/photo.json"),
            harness.snapshot("sub/deeper/new.jpg"), harness.snapshot("sub/deeper/new.json"),
        ]
        harness.disk.writeSidecar("/inbox/sub/photo.json")
        harness.disk.writeSidecar("/inbox/sub/deeper/new.json")
        harness.tracker.reconcile(scan, under: "/inbox/sub/", at: harness.at(1))
        #expect(harness.tracker.pendingCount == 5)
        let output = harness.take(at: 3)
        #expect(output.ready.map(\.stem).sorted() == ["new", "photo"])
        let photo = try #require(output.ready.first { $0.stem == "photo" })
        #expect(photo.droppedAt == TrackerHarness.wallStart, "an unchanged file keeps its first sighting")
        #expect(harness.tracker.pendingCount == 1, "subway/keep.jpg is not under sub/")
    }

    @Test("nextDeadline names the next settle or orphan moment, leaving out what take already saw")
    func nextDeadline() {
        var harness = TrackerHarness()
        #expect(harness.tracker.nextDeadline() == nil)
        harness.drop("photo.jpg", at: 0)
        #expect(harness.tracker.nextDeadline() == harness.at(2))
        harness.drop("other.jpg", at: 1)
        #expect(harness.tracker.nextDeadline() == harness.at(2))
        #expect(harness.take(at: 2).isEmpty)
        #expect(harness.tracker.nextDeadline() == harness.at(3))
        #expect(harness.take(at: 3).isEmpty)
        #expect(harness.tracker.nextDeadline() == harness.at(602))
        harness.tracker.forget(path: "/inbox/photo.jpg")
        #expect(harness.tracker.nextDeadline() == harness.at(603))
        harness.tracker.forget(path: "/inbox/other.jpg")
        #expect(harness.tracker.nextDeadline() == nil)
    }
}
