import FacedropTestSupport
import Foundation
import Testing

@testable import InboxWatcher

/// Real inotify on temporary folders. libinotifytools is process-global, so every test that creates a
/// watcher lives in this one serialized suite, and `.inotifyExclusive` keeps it apart from the in-process
/// daemon tests of other targets.
@Suite(.serialized, .inotifyExclusive)
struct InotifyWatcherTests {
    /// A running watcher on a fresh inbox whose watches are in place, with a recorder on its stream.
    final class Harness {
        let inbox: TemporaryDirectory
        let wake: TemporaryDirectory
        let watcher: InotifyWatcher
        let recorder: EventRecorder

        init() async throws {
            inbox = try TemporaryDirectory(prefix: "facedrop-inbox")
            wake = try TemporaryDirectory(prefix: "facedrop-wake")
            watcher = try await InotifyWatcher(wakeFolder: wake.path)
            recorder = EventRecorder(watcher.events)
            watcher.watch(tree: inbox.path)
            let ready = await eventually { recorder.saw(.folderAdded(path: inbox.path)) }
            try #require(ready, "the inbox's watches were never reported in place")
        }

        func path(_ name: String) -> String { inbox.appending(name) }

        /// Waits up to 10 s for `event`.
        func sees(_ event: WatchEvent) async -> Bool {
            await eventually { recorder.saw(event) }
        }

        /// Writes `marker.jpg` and waits for its event. Events arrive in order, so afterwards every event
        /// caused before it has been seen too.
        func writeMarker() async throws {
            try TestFiles.write(path("marker.jpg"))
            try #require(await sees(.changed(path: path("marker.jpg"))))
        }

        /// Stops the watcher and waits for the stream to end, so the next test can start a watcher.
        func stop() async {
            watcher.stop()
            #expect(await eventually { recorder.isFinished })
        }
    }

    /// How a producer puts a file into the inbox.
    enum Arrival: CaseIterable, Sendable {
        /// Written in place: IN_CREATE then IN_CLOSE_WRITE.
        case written
        /// Renamed in from outside the tree (`mv` on one file system): IN_MOVED_TO only.
        case movedIn
        /// Hard-linked in (how WinSCP finalises uploads): IN_CREATE only.
        case linked

        func deliver(to path: String) throws {
            let outside = try TemporaryDirectory(prefix: "facedrop-outside")
            switch self {
            case .written:
                try TestFiles.write(path)
            case .movedIn:
                try TestFiles.write(outside.appending("upload"))
                try TestFiles.rename(outside.appending("upload"), path)
            case .linked:
                try TestFiles.write(outside.appending("upload"))
                try TestFiles.link(outside.appending("upload"), path)
            }
        }
    }

    @Test(arguments: Arrival.allCases)
    func arrivingFileIsChanged(arrival: Arrival) async throws {
        let harness = try await Harness()
        try arrival.deliver(to: harness.path("face.jpg"))
        #expect(await harness.sees(.changed(path: harness.path("face.jpg"))))
        await harness.stop()
    }

    @Test func fileRightAfterMkdirPIsFoundByEventsOrScan() async throws {
        let harness = try await Harness()
        try TestFiles.makeFolder(harness.path("a/b/c"))
        try TestFiles.write(harness.path("a/b/c/face.jpg"))
        #expect(await eventually { harness.recorder.found(harness.path("a/b/c/face.jpg")) })
        #expect(await eventually { harness.watcher.watchCount == 4 })
        await harness.stop()
    }

    @Test func renamedSubfolderReportsTheNewPath() async throws {
        let harness = try await Harness()
        try TestFiles.makeFolder(harness.path("old/inner"))
        #expect(await harness.sees(.folderAdded(path: harness.path("old"))))
        try TestFiles.rename(harness.path("old"), harness.path("new"))
        #expect(await harness.sees(.folderAdded(path: harness.path("new"))))
        #expect(harness.recorder.saw(.folderRemoved(path: harness.path("old"))))
        try TestFiles.write(harness.path("new/inner/face.jpg"))
        #expect(await harness.sees(.changed(path: harness.path("new/inner/face.jpg"))))
        #expect(!harness.recorder.changedPaths.contains { $0.hasPrefix(harness.path("old/")) })
        #expect(harness.watcher.watchCount == 3)
        await harness.stop()
    }

    @Test func deletedAndRecreatedSubfolderIsWatchedAgain() async throws {
        let harness = try await Harness()
        try TestFiles.makeFolder(harness.path("job"))
        #expect(await harness.sees(.folderAdded(path: harness.path("job"))))
        try TestFiles.remove(harness.path("job"))
        #expect(await harness.sees(.folderRemoved(path: harness.path("job"))))
        try TestFiles.makeFolder(harness.path("job"))
        #expect(await eventually { harness.recorder.events.filter { $0 == .folderAdded(path: harness.path("job")) }.count == 2 })
        try TestFiles.write(harness.path("job/face.jpg"))
        #expect(await harness.sees(.changed(path: harness.path("job/face.jpg"))))
        #expect(harness.watcher.watchCount == 2)
        await harness.stop()
    }

    @Test func dotFoldersAndIgnoredNamesAreNotReported() async throws {
        let harness = try await Harness()
        try TestFiles.makeFolder(harness.path(".facedrop/claimed"))
        try TestFiles.write(harness.path(".facedrop/claimed/face.jpg"))
        for name in [".hidden.jpg", "face.jpg.tmp", "face.jpg.part", "face.jpg.partial", "x.crdownload", ".x.swp", "~$doc.docx"] {
            try TestFiles.write(harness.path(name))
        }
        try await harness.writeMarker()
        #expect(Set(harness.recorder.changedPaths) == [harness.path("marker.jpg")])
        #expect(!harness.recorder.events.contains(.folderAdded(path: harness.path(".facedrop"))))
        #expect(harness.watcher.watchCount == 1)
        await harness.stop()
    }

    @Test func nameThatIsNotUTF8IsSkippedWithoutHarm() async throws {
        let harness = try await Harness()
        let raw = try TestFiles.writeRawName(in: harness.inbox.path, name: [0xFF, 0xFE, 0x2E, 0x6A, 0x70, 0x67])
        defer { TestFiles.unlinkRaw(raw) }
        try await harness.writeMarker()
        #expect(Set(harness.recorder.changedPaths) == [harness.path("marker.jpg")])
        // Reported as a problem the daemon can tell the user about, in the scanner's words.
        let problems = harness.recorder.events.compactMap { event -> String? in
            if case .undecodableName(let problem) = event { problem } else { nil }
        }
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { $0.hasPrefix(harness.inbox.path + ":") && $0.contains(#": \xFF\xFE.jpg: "#) })
        await harness.stop()
    }

    @Test func deletingAFileIsRemoved() async throws {
        let harness = try await Harness()
        try TestFiles.write(harness.path("face.jpg"))
        #expect(await harness.sees(.changed(path: harness.path("face.jpg"))))
        try TestFiles.remove(harness.path("face.jpg"))
        #expect(await harness.sees(.removed(path: harness.path("face.jpg"))))
        await harness.stop()
    }

    @Test func stopEndsTheStreamWithinTwoSeconds() async throws {
        #expect(WatchLoop.idleTimeoutSeconds >= 60)
        let harness = try await Harness()
        let started = ContinuousClock.now
        harness.watcher.stop()
        harness.watcher.stop()
        #expect(await eventually(within: .seconds(2)) { harness.recorder.isFinished })
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(harness.watcher.watchCount == 0)
    }

    @Test func idleThreadSleepsInsteadOfPolling() async throws {
        let harness = try await Harness()
        let before = try #require(voluntarySwitches(ofThreadNamed: "facedrop-watch"))
        try await Task.sleep(for: .seconds(2))
        let after = try #require(voluntarySwitches(ofThreadNamed: "facedrop-watch"))
        // A poll of one second or shorter would have woken it at least twice.
        #expect(after - before <= 1)
        await harness.stop()
    }

    @Test func onlyOneWatcherRunsAtATime() async throws {
        let harness = try await Harness()
        let wake = try TemporaryDirectory(prefix: "facedrop-wake")
        await #expect {
            _ = try await InotifyWatcher(wakeFolder: wake.path)
        } throws: { error in
            (error as? WatcherError)?.code == .alreadyRunning
        }
        harness.watcher.stop()
        // Right after stop() (the old thread may still be cleaning up) a new watcher starts and works.
        let next = try await InotifyWatcher(wakeFolder: wake.path)
        let recorder = EventRecorder(next.events)
        let inbox = try TemporaryDirectory(prefix: "facedrop-inbox")
        next.watch(tree: inbox.path)
        #expect(await eventually { recorder.saw(.folderAdded(path: inbox.path)) })
        try TestFiles.write(inbox.appending("face.jpg"))
        #expect(await eventually { recorder.saw(.changed(path: inbox.appending("face.jpg"))) })
        next.stop()
        #expect(await eventually { recorder.isFinished })
        #expect(harness.recorder.isFinished)
    }

    /// A start that waits (here for a stopped watcher's cleanup, held open by the test) suspends: many of them
    /// on a two-thread executor leave both threads free for other work.
    @Test func waitingStartsLeaveTheirThreadsFree() async throws {
        let executor = TwoThreadExecutor()
        defer { executor.shutdown() }
        let held = try await WatcherRegistry.claim()
        WatcherRegistry.markStopping(held)
        defer { WatcherRegistry.release(held) }
        let wake = try TemporaryDirectory(prefix: "facedrop-wake")
        let starts = 16
        let outcomes = Task(executorPreference: executor) {
            await withTaskGroup(of: Result<InotifyWatcher, WatcherError>.self) { group in
                for _ in 0..<starts {
                    group.addTask {
                        do throws(WatcherError) {
                            return .success(try await InotifyWatcher(wakeFolder: wake.path))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(await eventually { WatcherRegistry.waitingClaims == starts })

        // A blocked pool would run this only after the starts gave up (after `stoppingGrace`, 10 s).
        let asked = ContinuousClock.now
        let ran = await Task(executorPreference: executor) { ContinuousClock.now }.value
        #expect(ran - asked < .seconds(2))

        WatcherRegistry.release(held)
        let results = await outcomes.value
        let started = results.compactMap { try? $0.get() }
        #expect(started.count == 1)
        let refusals = results.compactMap { result -> WatcherError? in
            if case .failure(let error) = result { return error }
            return nil
        }
        #expect(refusals.count == starts - 1)
        #expect(refusals.allSatisfy { $0.code == .alreadyRunning })
        let watcher = try #require(started.first)
        let recorder = EventRecorder(watcher.events)
        watcher.stop()
        #expect(await eventually { recorder.isFinished })
    }

    @Test func overflowRewatchesTheTreesAndAsksForARescan() async throws {
        let harness = try await Harness()
        try TestFiles.makeFolder(harness.path("a/b"))
        #expect(await harness.sees(.folderAdded(path: harness.path("a"))))
        harness.watcher.inject(RawEvent(wd: -1, mask: .queueOverflow, cookie: 0, name: []))
        #expect(await harness.sees(.overflow))
        #expect(harness.watcher.watchCount == 3)
        try TestFiles.write(harness.path("a/b/face.jpg"))
        #expect(await harness.sees(.changed(path: harness.path("a/b/face.jpg"))))
        await harness.stop()
    }

    /// libinotifytools puts its descriptor in an fd_set; at 1024 or above glibc aborts the process.
    @Test func descriptorAbove1023IsRefusedInsteadOfAborting() async throws {
        let wake = try TemporaryDirectory(prefix: "facedrop-wake")
        var refusal: WatcherError?
        // Another test thread may free a low descriptor in between; a few attempts make that harmless.
        for _ in 0..<3 where refusal == nil {
            let watcher: InotifyWatcher? = await TestFiles.withDescriptorsTaken(below: 1024) {
                do {
                    return try await InotifyWatcher(wakeFolder: wake.path)
                } catch {
                    refusal = error as? WatcherError
                    return nil
                }
            }
            watcher?.stop()
        }
        #expect(refusal?.code == .descriptorTooHigh)
        #expect(refusal?.description.contains("first thing at startup") == true)
        // The refused start released the library.
        let harness = try await Harness()
        await harness.stop()
    }

    @Test func inotifyDescriptorIsCloseOnExec() async throws {
        let harness = try await Harness()
        let flags = TestFiles.inotifyDescriptorsCloseOnExec()
        #expect(!flags.isEmpty)
        #expect(flags.allSatisfy { $0 })
        await harness.stop()
    }

    @Test func missingRootIsReportedAndUnwatchDropsTheTree() async throws {
        let harness = try await Harness()
        let missing = harness.path("nope/inbox")
        harness.watcher.watch(tree: missing)
        #expect(await harness.sees(.watchFailed(folder: missing, reason: "No such file or directory")))

        try TestFiles.makeFolder(harness.path("sub"))
        #expect(await eventually { harness.watcher.watchCount == 2 })
        harness.watcher.unwatch(tree: harness.inbox.path)
        #expect(await eventually { harness.watcher.watchCount == 0 })
        await harness.stop()
    }

    @Test func symlinkedFolderIsNotWatched() async throws {
        let harness = try await Harness()
        let outside = try TemporaryDirectory(prefix: "facedrop-outside")
        try TestFiles.symlink(outside.path, harness.path("link"))
        try TestFiles.write(outside.appending("face.jpg"))
        try await harness.writeMarker()
        #expect(!harness.recorder.changedPaths.contains(harness.path("link/face.jpg")))
        #expect(harness.watcher.watchCount == 1)
        await harness.stop()
    }
}
