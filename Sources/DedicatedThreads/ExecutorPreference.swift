import Synchronization

/// The task executor facedrop's tasks prefer, carried to the tasks they start.
///
/// A preference set with `withTaskExecutorPreference` or `Task(executorPreference:)` reaches child tasks (task
/// groups, `async let`) but not unstructured ones: `Task {}` goes back to the runtime's global executor. So
/// every unstructured task facedrop starts passes ``current`` as its preference: the executor of the innermost
/// ``run(on:_:)`` around it, or else the process-wide one the entry point set with ``preferEverywhere(_:)``,
/// which also reaches tasks started from threads that are not tasks (libcurl's callbacks). Nil, as in tests
/// and tools that set neither, means the global executor.
///
/// ```swift
/// try await ExecutorPreference.run(on: ThreadPoolExecutor(width: 2)) {
///     Task(executorPreference: ExecutorPreference.current) { await work() }
/// }
/// ```
package enum ExecutorPreference {
    @TaskLocal private static var scoped: (any TaskExecutor)?
    private static let processWide = Mutex<(any TaskExecutor)?>(nil)

    /// The executor a new unstructured task should prefer.
    package static var current: (any TaskExecutor)? {
        scoped ?? processWide.withLock { $0 }
    }

    /// Makes `executor` the preference of every unstructured task started outside a ``run(on:_:)``, from any
    /// thread. For a process's entry point, once, before it starts its first task.
    package static func preferEverywhere(_ executor: any TaskExecutor) {
        processWide.withLock { $0 = executor }
    }

    /// Runs `operation` on `executor`, with it preferred by every task `operation` starts.
    package static func run<T: Sendable>(
        on executor: any TaskExecutor,
        _ operation: @Sendable () async throws -> T
    ) async rethrows -> T {
        try await withTaskExecutorPreference(executor) {
            try await $scoped.withValue(executor, operation: operation)
        }
    }
}
