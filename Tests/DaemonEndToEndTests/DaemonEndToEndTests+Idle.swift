import FacedropTestSupport
import Foundation
import Testing

/// A daemon with nothing to do sleeps: it waits on inotify and its deadlines, never on a busy loop.
extension DaemonEndToEndTests {
    @Test("an idle daemon uses almost no CPU")
    func idleDaemonSleeps() async throws {
        try await withDaemon { _, daemon in
            try await Task.sleep(for: .seconds(1))
            let before = try #require(daemon.cpuTime())
            try await Task.sleep(for: .seconds(3))
            let after = try #require(daemon.cpuTime())
            #expect(after - before < .milliseconds(300), "an idle daemon used \(after - before) of CPU in 3 s")

            // And again after some work: finished jobs leave nothing spinning.
            try daemon.dropJob("one", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try await Task.sleep(for: .seconds(1))
            let rested = try #require(daemon.cpuTime())
            try await Task.sleep(for: .seconds(3))
            let later = try #require(daemon.cpuTime())
            #expect(later - rested < .milliseconds(300), "a daemon idle after a job used \(later - rested) of CPU in 3 s")
        }
    }
}
