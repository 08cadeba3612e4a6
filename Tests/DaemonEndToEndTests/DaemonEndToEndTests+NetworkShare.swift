import FacedropTestSupport
import Foundation
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
}
