import DedicatedThreads
import Foundation
import Testing

@Suite struct ThreadPoolExecutorTests {
    /// One pool for the suite: its threads live as long as the process.
    static let pool = ThreadPoolExecutor(width: 2, name: "pool-tests")

    /// The kernel's name of the thread running the caller.
    static func threadName() -> String {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return comm.trimmingCharacters(in: .newlines)
    }

    actor Counter {
        var count = 0
        func bump() { count += 1 }
    }

    @Test("tasks and child tasks that prefer the pool run on its threads")
    func childTasksRunOnThePool() async {
        let names = await ExecutorPreference.run(on: Self.pool) {
            await withTaskGroup(of: String.self) { group in
                for _ in 0..<200 { group.addTask { Self.threadName() } }
                return await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
        }
        #expect(names == ["pool-tests"])
        #expect(Self.pool.width == 2)
    }

    @Test("an unstructured task started with the carried preference runs on the pool; without one, elsewhere")
    func unstructuredTasksFollowThePreference() async {
        let (inside, carried) = await ExecutorPreference.run(on: Self.pool) {
            let name = await Task(executorPreference: ExecutorPreference.current) { Self.threadName() }.value
            return (name, ExecutorPreference.current != nil)
        }
        #expect(inside == "pool-tests")
        #expect(carried)
        #expect(ExecutorPreference.current == nil)
        let outside = await Task(executorPreference: ExecutorPreference.current) { Self.threadName() }.value
        #expect(outside != "pool-tests")
    }

    @Test("an actor called from the pool's tasks sees every call exactly once")
    func actorsKeepTheirIsolation() async {
        let counter = Counter()
        await ExecutorPreference.run(on: Self.pool) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<1_000 { group.addTask { await counter.bump() } }
            }
        }
        #expect(await counter.count == 1_000)
    }
}
