import FacedropTestSupport
import Foundation
import Synchronization
import Testing

@testable import Daemon

@Suite("File work runs on the daemon's own threads")
struct FileWorkPoolTests {
    struct Refused: Error, Equatable {
        let reason: String
    }

    final class Counter: Sendable {
        private let atomic = Atomic<Int>(0)
        var value: Int { atomic.load(ordering: .sequentiallyConsistent) }
        func add() { atomic.add(1, ordering: .sequentiallyConsistent) }
    }

    /// The calling thread's name as the kernel knows it.
    static func kernelThreadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("work runs on a pool thread, not the caller's; results and typed errors come back")
    func runsOnPoolThreads() async throws {
        let pool = FileWorkPool(threads: 2, name: "test-files")
        // The kernel's name for the thread the work ran on, as `top -H` shows it.
        let name = await pool.run { Self.kernelThreadName() }
        #expect(name.hasPrefix("test-files-"), "\(name)")
        #expect(await pool.run { 6 * 7 } == 42)
        await #expect(throws: Refused(reason: "full")) {
            try await pool.run { () throws(Refused) -> Int in throw Refused(reason: "full") }
        }
        pool.shutdown()
    }

    @Test("pieces of work that block overlap: four that wait for each other all finish on four threads")
    func blockingWorkOverlaps() async throws {
        let pool = FileWorkPool(threads: 4, name: "test-files")
        let arrived = Counter()
        let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    await pool.run {
                        // A stand-in for a long fsync: hold the thread until all four are in, for at most 10 s.
                        arrived.add()
                        let deadline = Date().addingTimeInterval(10)
                        while arrived.value < 4, Date() < deadline { usleep(1000) }
                        return arrived.value == 4
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(finished == [true, true, true, true])
        pool.shutdown()
    }

    @Test("work that comes one piece at a time runs on the thread that went idle last, not on every thread in turn")
    func sequentialWorkStaysOnTheWarmThread() async throws {
        let pool = FileWorkPool(threads: 8, name: "test-files")
        func settled() async -> Bool { await eventually(timeout: .seconds(30)) { pool.idle == 8 } }
        #expect(await settled())
        var names: Set<String> = []
        for _ in 0..<20 {
            names.insert(await pool.run { Self.kernelThreadName() })
            #expect(await settled())
        }
        #expect(names.count == 1, "\(names.sorted())")
        pool.shutdown()
    }

    @Test("shutdown lets queued work finish; work after it runs on the caller")
    func shutdownDrains() async throws {
        let pool = FileWorkPool(threads: 1, name: "test-files")
        let done = Counter()
        let queued = (0..<5).map { _ in
            Task {
                await pool.run {
                    usleep(20_000)
                    done.add()
                }
            }
        }
        // Generous: the tasks that queue the work need turns on the cooperative pool, which a loaded machine delays.
        let deadline = ContinuousClock.now + .seconds(60)
        while pool.pending < 2, done.value == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(pool.pending >= 2, "shutdown is meant to find work still queued")
        await Task.detached { pool.shutdown() }.value
        #expect(done.value == 5)
        for task in queued { await task.value }
        #expect(await pool.run { Self.kernelThreadName().hasPrefix("test-files-") } == false)
    }
}
