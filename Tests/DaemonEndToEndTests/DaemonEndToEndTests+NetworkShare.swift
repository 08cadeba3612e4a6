import FacedropTestSupport
import FileSystem
import Foundation
import HotFolder
import Synchronization
import Testing

/// The takeover scenarios of `DaemonEndToEndTests+Takeover.swift` on a real network filesystem: one export mounted
/// twice through sshfs (`scripts/loopback-share`), each host on its own mount with `network_filesystem = true`, so
/// each sees the other's claims, receipts and leases only through the share's server, never by an inotify event;
/// mtimes are whole seconds and inode numbers differ between the mounts. The outbox is on the share too, each host
/// delivering through its own mount; the harness reads it through the first host's.
extension DaemonEndToEndTests {
    /// Makes a share mounted twice and runs `body` with the two hosts' views of it (`inbox` and `outbox` in each
    /// mount); always unmounts it afterwards.
    /// The test is cancelled, not passed, on a machine that cannot mount one (no sshfs, sshd or FUSE).
    func withSSHFSInboxes(_ body: (TakeoverInboxes) async throws -> Void) async throws {
        if let reason = try await LoopbackShare.unavailable() {
            try Test.cancel("no sshfs share can be mounted here: \(reason)")
        }
        let share = try await LoopbackShare.make(mounts: 2)
        let inboxes = TakeoverInboxes(
            first: share.mounts[0] + "/inbox",
            second: share.mounts[1] + "/inbox",
            outboxes: (share.mounts[0] + "/outbox", share.mounts[1] + "/outbox"),
            lines: ["network_filesystem = true"],
            label: " on sshfs"
        )
        do {
            try await body(inboxes)
        } catch {
            try? await share.tearDown()
            throw error
        }
        try await share.tearDown()
    }

    @Test("on sshfs, each host on its own mount: a host killed mid-run has its claims adopted by the other; restarted, it stands down")
    func takeoverAfterKillOnSSHFS() async throws {
        try await withSSHFSInboxes { inboxes in try await expectTakeoverAfterKill(on: inboxes) }
    }

    @Test("on sshfs, each host on its own mount: a host hung past takeover_after has its jobs finished by the other; woken, it stands down")
    func takeoverAfterHangOnSSHFS() async throws {
        try await withSSHFSInboxes { inboxes in try await expectTakeoverAfterHang(on: inboxes) }
    }

    /// FUSE without `hard_remove` (sshfs) does not remove a file the same mount still has open, it renames it to
    /// `.fuse_hidden…`, and when the last close races the removal the file stays for good. A host reads its own
    /// claims (the fence, a takeover pass, `facedrop status`) while a job of it removes a finished claim: the claim
    /// folder must go all the same, or it lingers as a claim, half emptied.
    @Test("on sshfs: a claim folder is removed whole while another thread of the same host reads its record and receipts")
    func claimRemovedWhileReadOnSSHFS() async throws {
        if let reason = try await LoopbackShare.unavailable() {
            try Test.cancel("no sshfs share can be mounted here: \(reason)")
        }
        let share = try await LoopbackShare.make(mounts: 1)
        do {
            try expectClaimsRemovedWhileRead(inboxRoot: share.mounts[0] + "/inbox")
        } catch {
            try? await share.tearDown()
            throw error
        }
        try await share.tearDown()
    }

    /// Twenty claim folders, each removed as a finished job's is (``JobExecutor.discardFiles``) while a second thread
    /// reads it without a pause; in every other one a receipt is also held open until 100 ms into the removal, so that
    /// sshfs hides it for certain.
    func expectClaimsRemovedWhileRead(inboxRoot: String) throws {
        try FileManager.default.createDirectory(atPath: inboxRoot + "/.facedrop", withIntermediateDirectories: true)
        let inbox = try Folder.open(inboxRoot)
        let adopter = ClaimAdopter(claimer: JobClaimer(inboxRoot: inboxRoot, owner: "host-a"))
        var left: [String] = []
        for round in 0..<20 {
            let folder = "\(inboxRoot)/.facedrop/20261206T120000-\(String(format: "%016x", round))"
            try inbox.makeFolder(folder)
            try inbox.makeFolder("\(folder)/input")
            try inbox.create("\(folder)/input/face.jpg", bytes: Array(repeating: 0xFF, count: 4096), durably: false)
            try inbox.create("\(folder)/claim.json", bytes: Array(#"{"format":1,"owner":"host-a","folder":"x","stem":"face"}"#.utf8), durably: false)
            for step in ClaimReceipt.Step.allCases { try ClaimReceipt(step: step, owner: "host-a").write(into: folder, in: inbox) }
            let stop = Mutex(false)
            let reads = Mutex(0)
            let ended = DispatchSemaphore(value: 0)
            Thread {
                while !stop.withLock({ $0 }) {
                    _ = adopter.owns(folder)
                    _ = ClaimReceipt.read(claimFolder: folder, in: inbox)
                    reads.withLock { $0 += 1 }
                }
                ended.signal()
            }
            .start()
            let held = Mutex(round.isMultiple(of: 2) ? try inbox.openFile("\(folder)/receipts/intent.json") : nil)
            Thread {
                Thread.sleep(forTimeInterval: 0.1)
                held.withLock { $0 = nil }
                ended.signal()
            }
            .start()
            while reads.withLock({ $0 }) < 2 { Thread.sleep(forTimeInterval: 0.000_1) }
            let removal = Result(catching: { () throws(FileSystemError) in try inbox.removeTree(folder) })
            stop.withLock { $0 = true }
            ended.wait()
            ended.wait()
            if case .failure(let error) = removal { left.append("\(round): \(error)") }
            if let found = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String], !found.isEmpty {
                left.append("\(round): \(found.sorted())")
            }
        }
        #expect(left.isEmpty, "claim folders left: \(left)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: inboxRoot + "/.facedrop").isEmpty)
    }
}
