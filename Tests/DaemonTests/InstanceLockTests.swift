import FacedropTestSupport
import Foundation
import Testing

@testable import Daemon

@Suite("One daemon per state folder")
struct InstanceLockTests {
    @Test("a second lock on the same state folder is refused and names the holder")
    func secondLockRefused() throws {
        let folder = try TemporaryDirectory()
        let path = folder.appending("lock")
        let first = try InstanceLock(path: path)
        do {
            _ = try InstanceLock(path: path)
            Issue.record("the second lock was granted")
        } catch {
            guard case .alreadyRunning(let lock, let holder) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(lock == path)
            #expect(holder == ProcessInfo.processInfo.processIdentifier)
            #expect(error.description.contains("another facedrop"))
        }
        first.release()
        let again = try InstanceLock(path: path)
        again.release()
    }

    @Test("an unusable state folder is a clear error, not a crash")
    func unusableFolder() {
        #expect(throws: DaemonError.self) {
            _ = try InstanceLock(path: "/nonexistent-facedrop-folder/lock")
        }
    }
}

@Suite("The doorbell that wakes the daemon's loops")
struct DoorbellTests {
    @Test("a ring before the wait is remembered")
    func ringBeforeWait() async {
        let bell = Doorbell()
        bell.ring()
        let start = ContinuousClock.now
        await bell.wait(until: .now + .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("a wait ends at its deadline without a ring")
    func deadline() async {
        let bell = Doorbell()
        let start = ContinuousClock.now
        await bell.wait(until: .now + .milliseconds(100))
        #expect(ContinuousClock.now - start >= .milliseconds(100))
    }

    @Test("a ring from another task ends a wait with no deadline")
    func ringWakes() async {
        let bell = Doorbell()
        async let waited: Void = bell.wait(until: nil)
        try? await Task.sleep(for: .milliseconds(50))
        bell.ring()
        await waited
    }

    @Test("cancelling the waiting task ends the wait")
    func cancellation() async {
        let bell = Doorbell()
        let task = Task { await bell.wait(until: nil) }
        try? await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await task.value
    }
}

@Suite("The doorbell does not spin")
struct DoorbellSpinTests {
    @Test("a wait that ends early leaves no ring behind from its cancelled timer")
    func noStaleRing() async {
        let bell = Doorbell()
        // End a wait early by a ring; its timer is cancelled and must not ring later.
        bell.ring()
        await bell.wait(until: .now + .seconds(30))
        try? await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        await bell.wait(until: .now + .milliseconds(300))
        #expect(ContinuousClock.now - start >= .milliseconds(300), "a stale ring ended the wait at once")
    }
}
