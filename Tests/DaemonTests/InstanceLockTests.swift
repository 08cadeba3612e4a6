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
