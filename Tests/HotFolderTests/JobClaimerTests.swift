import Foundation
import HotFolder
import SegmindCatalog
import StrictJSON
import Synchronization
import Testing

@Suite("Job claimer")
struct JobClaimerTests {
    @Test("A claim moves the files, face first, into a claim folder that records where they came from")
    func claimMovesFiles() throws {
        let fixture = try ClaimFixture()
        let job = try fixture.dropJob("photo", in: "team/a", pose: true)
        let claimed = try #require(try fixture.claimer().claim(job).claimed)

        #expect(fixture.claimFolders() == [claimed.folder])
        let name = (claimed.folder as NSString).lastPathComponent
        #expect(name.count == 32 && name.dropFirst(8).hasPrefix("T") && name.dropFirst(15).hasPrefix("-"))
        #expect(claimed.facePath == "\(claimed.folder)/input/photo.jpg")
        #expect(claimed.sidecarPath == "\(claimed.folder)/input/photo.json")
        #expect(claimed.posePath == "\(claimed.folder)/input/photo.pose.png")
        #expect(try fixture.contents(#require(claimed.facePath)) == "face of photo")
        #expect(try fixture.contents(#require(claimed.posePath)) == "pose of photo")
        for file in job.files { #expect(!fixture.exists(file.path)) }

        let record = try JSONParser().parse(Data(contentsOf: URL(fileURLWithPath: "\(claimed.folder)/claim.json")))
        #expect(record["folder"] == .string("\(fixture.inbox)/team/a"))
        #expect(record["subpath"] == .string("team/a"))
        #expect(record["stem"] == .string("photo"))
        #expect(record["owner"] == .string("test-host"))
        #expect(record["files"] == ["photo.jpg", "photo.json", "photo.pose.png"])
        let mode = try FileManager.default.attributesOfItem(atPath: "\(fixture.inbox)/.facedrop")[.posixPermissions]
        #expect(mode as? Int == 0o700)
    }

    @Test("Claiming a job another claimer already took is .lost and leaves no claim folder behind")
    func secondClaimIsLost() throws {
        let fixture = try ClaimFixture()
        let job = try fixture.dropJob("photo")
        let first = try fixture.claimer(owner: "a").claim(job)
        let second = try fixture.claimer(owner: "b").claim(job)
        #expect(first.claimed != nil)
        #expect(second == .lost)
        #expect(fixture.claimFolders() == [first.claimed?.folder])
    }

    @Test("Two claimers racing on separate threads over 200 jobs take each job exactly once")
    func concurrentClaimers() throws {
        let fixture = try ClaimFixture()
        let jobs = try (0..<200).map { try fixture.dropJob("job-\($0)", in: $0.isMultiple(of: 2) ? "" : "odd") }
        let claimers = [fixture.claimer(owner: "a"), fixture.claimer(owner: "b")]
        let results = Mutex<[[ClaimResult?]]>(Array(repeating: Array(repeating: nil, count: jobs.count), count: 2))
        let failures = Mutex<[String]>([])
        // Threads from Dispatch, not the cooperative pool: claiming blocks on the filesystem.
        DispatchQueue.concurrentPerform(iterations: 2) { side in
            // The second claimer walks the jobs backwards, so the two meet in the middle.
            let order = side == 0 ? Array(jobs.indices) : jobs.indices.reversed()
            for index in order {
                do {
                    let result = try claimers[side].claim(jobs[index])
                    results.withLock { $0[side][index] = result }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let outcomes = results.withLock { $0 }
        var claimFolders: Set<String> = []
        for index in jobs.indices {
            let pair = [outcomes[0][index], outcomes[1][index]]
            let claimed = pair.compactMap { $0?.claimed }
            #expect(claimed.count == 1, "job-\(index) was claimed \(claimed.count) times")
            #expect(pair.contains(.lost), "job-\(index): \(pair)")
            if let files = claimed.first {
                claimFolders.insert(files.folder)
                #expect(try fixture.contents(#require(files.facePath)) == "face of job-\(index)")
                #expect(try fixture.contents(#require(files.sidecarPath)) == #"{"prompt": "job-\#(index)"}"#)
            }
        }
        #expect(Set(fixture.claimFolders()) == claimFolders)
        #expect(claimFolders.count == jobs.count)
    }

    @Test("Jobs claimed together each get a claim folder of their own; one that changed or vanished leaves the others claimed")
    func batchClaim() throws {
        let fixture = try ClaimFixture()
        let jobs = try [
            fixture.dropJob("a"), fixture.dropJob("b", in: "team"), fixture.dropJob("c"), fixture.dropJob("d"), fixture.dropJob("e", in: "team"),
        ]
        try fixture.write("c.json", #"{"prompt": "rewritten, longer"}"#)
        try FileManager.default.removeItem(atPath: jobs[3].face.path)
        // Every record is written (and `.facedrop/` flushed once) before the first file moves.
        let recordsAtFirstMove = Mutex<Int?>(nil)
        let claimer = JobClaimer(inboxRoot: fixture.inbox, owner: "test-host") { _ in
            recordsAtFirstMove.withLock { $0 = $0 ?? fixture.claimFolders().count }
        }
        let results = claimer.claim(jobs).map { try? $0.get() }

        #expect(results[2] == .changed)
        #expect(results[3] == .lost)
        let claimed = [results[0], results[1], results[4]].compactMap { $0?.claimed }
        #expect(claimed.count == 3)
        #expect(Set(fixture.claimFolders()) == Set(claimed.map(\.folder)))
        for (files, stem) in zip(claimed, ["a", "b", "e"]) {
            #expect(try fixture.contents(#require(files.facePath)) == "face of \(stem)")
            #expect(try fixture.contents(#require(files.sidecarPath)) == #"{"prompt": "\#(stem)"}"#)
        }
        #expect(fixture.exists(jobs[2].face.path) && fixture.exists("\(fixture.inbox)/c.json"))
        #expect(recordsAtFirstMove.withLock { $0 } == 5, "the five records were not all written before the first move")
    }

    @Test("A file that changed since it looked ready is .changed and nothing moves")
    func changedBeforeClaim() throws {
        let fixture = try ClaimFixture()
        let job = try fixture.dropJob("photo")
        try fixture.write("photo.json", #"{"prompt": "rewritten, longer"}"#)
        #expect(try fixture.claimer().claim(job) == .changed)
        let sidecar = try #require(job.sidecar)
        #expect(fixture.exists(job.face.path) && fixture.exists(sidecar.path))
        #expect(fixture.claimFolders().isEmpty)
    }

    @Test("A file that vanished after the face is .changed; a vanished face is .lost")
    func vanishedFiles() throws {
        let fixture = try ClaimFixture()
        let withoutSidecar = try fixture.dropJob("a")
        try FileManager.default.removeItem(atPath: try #require(withoutSidecar.sidecar).path)
        #expect(try fixture.claimer().claim(withoutSidecar) == .changed)
        #expect(fixture.exists(withoutSidecar.face.path))

        let withoutFace = try fixture.dropJob("b")
        try FileManager.default.removeItem(atPath: withoutFace.face.path)
        #expect(try fixture.claimer().claim(withoutFace) == .lost)
        #expect(fixture.exists(try #require(withoutFace.sidecar).path))
        #expect(fixture.claimFolders().isEmpty)
    }

    @Test(
        "A later file that cannot be moved puts the moved ones back and throws",
        .enabled(if: ClaimFixture.sharedMemoryIsAnotherFilesystem)
    )
    func undoAfterFailedRename() throws {
        let fixture = try ClaimFixture()
        let elsewhere = "/dev/shm/facedrop-hotfolder-\(UUID().uuidString).pose.png"
        try Data("pose".utf8).write(to: URL(fileURLWithPath: elsewhere))
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        var job = try fixture.dropJob("photo")
        job.pose = try fixture.snapshot(elsewhere)

        let error = try #require(throws: ClaimError.self) { try fixture.claimer().claim(job) }
        #expect(error.operation == "rename" && error.undoProblem == nil)
        #expect(try fixture.contents(job.face.path) == "face of photo")
        #expect(fixture.exists(try #require(job.sidecar).path))
        #expect(fixture.claimFolders().isEmpty)
    }

    @Test("An orphan's files are claimed in path order")
    func claimOrphan() throws {
        let fixture = try ClaimFixture()
        let files = try ["photo.json", "photo.pose.png"].map { try fixture.snapshot(fixture.write($0, $0)) }
        let orphan = OrphanFiles(
            folder: fixture.inbox,
            subpath: "",
            stem: "photo",
            files: files.reversed(),
            reason: "photo.json waited 600 s for its face",
            droppedAt: Date()
        )
        let claimed = try #require(try fixture.claimer().claim(orphan).claimed)
        #expect(claimed.facePath == nil && claimed.sidecarPath == nil)
        #expect(claimed.otherPaths == ["\(claimed.folder)/input/photo.json", "\(claimed.folder)/input/photo.pose.png"])
        #expect(claimed.otherPaths.allSatisfy(fixture.exists))
    }

    @Test("A link where the work folder should be is refused, and nothing moves")
    func workFolderLinkRefused() throws {
        let fixture = try ClaimFixture()
        let elsewhere = try ClaimFixture()
        try FileManager.default.createSymbolicLink(atPath: "\(fixture.inbox)/.facedrop", withDestinationPath: elsewhere.inbox)
        let job = try fixture.dropJob("photo")
        #expect(throws: ClaimError.self) { try fixture.claimer().claim(job) }
        #expect(fixture.exists(job.face.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.inbox).isEmpty)
    }

    @Test("A job folder swapped for a link before the claim is not followed: nothing outside the inbox moves")
    func jobFolderLinkNotFollowed() throws {
        let fixture = try ClaimFixture()
        let elsewhere = try ClaimFixture()
        let job = try fixture.dropJob("photo", in: "team")
        // The folder moves out of the inbox and a link takes its place; the files keep their inodes, so the
        // snapshots still match through the link.
        try FileManager.default.moveItem(atPath: "\(fixture.inbox)/team", toPath: "\(elsewhere.inbox)/team")
        try FileManager.default.createSymbolicLink(atPath: "\(fixture.inbox)/team", withDestinationPath: "\(elsewhere.inbox)/team")
        #expect(throws: ClaimError.self) { try fixture.claimer().claim(job) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(elsewhere.inbox)/team").sorted() == ["photo.jpg", "photo.json"])
        #expect(fixture.claimFolders().isEmpty)
    }

    @Test("Discard deletes a finished claim folder and refuses anything else")
    func discard() throws {
        let fixture = try ClaimFixture()
        let claimer = fixture.claimer()
        let claimed = try #require(try claimer.claim(fixture.dropJob("photo", pose: true)).claimed)
        try claimer.discard(claimFolder: claimed.folder)
        #expect(fixture.claimFolders().isEmpty)
        #expect(throws: ClaimError.self) { try claimer.discard(claimFolder: fixture.inbox) }
        #expect(throws: ClaimError.self) { try claimer.discard(claimFolder: "\(claimer.workFolder)/not-a-claim") }
        #expect(FileManager.default.fileExists(atPath: fixture.inbox))
    }

    @Test("lstat reports regular files, links as not regular, and nil for nothing")
    func lstat() throws {
        let fixture = try ClaimFixture()
        let path = try fixture.write("photo.jpg", "12345")
        let file = try #require(FileSnapshot.lstat(path))
        #expect(file.size == 5 && file.isRegular && file.inode != 0 && file.modified > 0 && file.changed > 0)
        try FileManager.default.createSymbolicLink(atPath: "\(fixture.inbox)/link.jpg", withDestinationPath: path)
        #expect(FileSnapshot.lstat("\(fixture.inbox)/link.jpg")?.isRegular == false)
        #expect(FileSnapshot.lstat("\(fixture.inbox)/missing.jpg") == nil)
    }

    @Test("The disk reader refuses linked and oversized sidecars")
    func diskSidecarReading() throws {
        let fixture = try ClaimFixture()
        let sidecar = try fixture.write("photo.json", #"{"pose_image": "ref.png"}"#)
        try FileManager.default.createSymbolicLink(atPath: "\(fixture.inbox)/link.json", withDestinationPath: sidecar)
        let read = InboxFileAccess.disk.readSidecar
        #expect(read(sidecar, 100) == Array(#"{"pose_image": "ref.png"}"#.utf8))
        #expect(read(sidecar, 10) == nil)
        #expect(read("\(fixture.inbox)/link.json", 100) == nil)
        #expect(read(fixture.inbox, 100) == nil)
    }
}
