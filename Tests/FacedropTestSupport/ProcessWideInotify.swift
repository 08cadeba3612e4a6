public import Testing

/// libinotifytools keeps its state in process globals, so only one `InotifyWatcher` may live in a test
/// process at a time. Suites in different test targets cannot share a `.serialized` suite; this trait
/// gives them one lock instead: each test that carries it runs alone among the tests that carry it.
///
/// ```swift
/// @Suite(.serialized, .inotifyExclusive) struct InotifyWatcherTests { … }
/// ```
public struct ProcessWideInotify: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @concurrent @Sendable () async throws -> Void
    ) async throws {
        // Applied to a suite, the trait is asked for the suite and again for each test: lock per test only.
        guard !test.isSuite else { return try await function() }
        await Self.lock.acquire()
        do {
            try await function()
        } catch {
            await Self.lock.release()
            throw error
        }
        await Self.lock.release()
    }

    private static let lock = AsyncLock()
}

extension Trait where Self == ProcessWideInotify {
    /// Runs each test alone among those that use libinotifytools in this process.
    public static var inotifyExclusive: Self { ProcessWideInotify() }
}

/// A first-come, first-served lock that suspends instead of blocking a thread.
actor AsyncLock {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
