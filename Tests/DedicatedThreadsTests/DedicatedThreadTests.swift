import DedicatedThreads
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite struct DedicatedThreadTests {
    /// What a thread's body saw of itself, handed to the test.
    final class Probe: Sendable {
        /// `<pid>/task/<tid>` of the thread, from its `/proc/thread-self` link.
        let taskPath = Mutex<String?>(nil)
        let bodyEnded = Atomic<Bool>(false)
        /// Bodies that ran, for threads that only count.
        let runs = Atomic<Int>(0)
        /// Signalled by the body once it has recorded itself.
        let recorded = DispatchSemaphore(value: 0)
        /// Holds the body until the test has looked.
        let gate = DispatchSemaphore(value: 0)

        /// Records the thread, waits for the gate, then marks the body ended.
        func body() {
            let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")
            taskPath.withLock { $0 = link }
            recorded.signal()
            gate.wait()
            bodyEnded.store(true, ordering: .sequentiallyConsistent)
        }

        /// The kernel's name of the thread, as `/proc/self/task/<tid>/comm` shows it, without the newline.
        func kernelName() throws -> String {
            let path = try #require(taskPath.withLock { $0 })
            let tid = try #require(path.split(separator: "/").last)
            let comm = try String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8)
            return comm.trimmingCharacters(in: .newlines)
        }
    }

    /// Starts a thread named `name` running the probe, and returns the kernel's name of it while it runs.
    private func kernelName(ofThreadNamed name: String) throws -> (kernel: String, thread: DedicatedThread) {
        let probe = Probe()
        let thread = DedicatedThread.start(name: name) { probe.body() }
        probe.recorded.wait()
        defer {
            probe.gate.signal()
            thread.join()
        }
        return (try probe.kernelName(), thread)
    }

    @Test func theKernelKnowsTheThreadByItsName() throws {
        let (kernel, thread) = try kernelName(ofThreadNamed: "facedrop-test")
        #expect(kernel == "facedrop-test")
        #expect(thread.kernelName == "facedrop-test")
    }

    @Test func aLongNameIsCutToFifteenBytes() throws {
        let (kernel, thread) = try kernelName(ofThreadNamed: "facedrop-journal-writer")
        #expect(kernel == "facedrop-journa")
        #expect(thread.kernelName == kernel)
        #expect(thread.name == "facedrop-journal-writer")
    }

    @Test func aLongNameIsCutBetweenCharacters() throws {
        // 10 bytes, then 2 per "é": a cut at 15 bytes would split the third one.
        let (kernel, thread) = try kernelName(ofThreadNamed: "facedrop-xéééé")
        #expect(kernel == "facedrop-xéé")
        #expect(thread.kernelName == kernel)
    }

    @Test func joinReturnsOnlyOnceTheBodyHasEnded() throws {
        let probe = Probe()
        let thread = DedicatedThread.start(name: "facedrop-join") { probe.body() }
        probe.recorded.wait()
        #expect(!thread.hasExited)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(200)) { probe.gate.signal() }
        thread.join()
        let ended = probe.bodyEnded.load(ordering: .sequentiallyConsistent)
        #expect(ended)
        #expect(thread.hasExited)
        // Joining an ended thread returns at once.
        thread.join()
    }

    @Test func exitedResumesOnceTheBodyHasEnded() async throws {
        let probe = Probe()
        let thread = DedicatedThread.start(name: "facedrop-exit") { probe.body() }
        let waiter = Task {
            await thread.exited()
            return probe.bodyEnded.load(ordering: .sequentiallyConsistent)
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!thread.hasExited)
        probe.gate.signal()
        #expect(await waiter.value)
        #expect(thread.hasExited)
        await thread.exited()
    }

    @Test func everyThreadRunsItsBodyOnce() async throws {
        let probe = Probe()
        let threads = (0..<8).map { number in
            DedicatedThread.start(name: "facedrop-many-\(number)") { probe.runs.add(1, ordering: .relaxed) }
        }
        for thread in threads { await thread.exited() }
        let runs = probe.runs.load(ordering: .relaxed)
        #expect(runs == 8)
    }
}
