import DedicatedThreads

/// Threads of their own for the tests' loopback servers, so a cooperative pool kept busy by the many tests that
/// run at once (two threads on a two-core machine) never keeps a server from answering a client that is waiting
/// on it with a timeout.
private let serverThreads = ThreadPoolExecutor(width: 2, name: "test-servers")

/// Runs a test server's loop (`try await server.run()`) as a task on the servers' own threads.
public func serverTask(_ operation: sending @escaping @isolated(any) () async throws -> Void) -> Task<Void, any Error> {
    Task(executorPreference: serverThreads, operation: operation)
}
