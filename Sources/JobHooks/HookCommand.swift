import DedicatedThreads
import Synchronization

/// One run of a hook command: started without a shell, in a process group of its own, with a minimal environment and
/// stdin from /dev/null; its output is captured (bounded) and it is stopped after a timeout.
///
/// The wait blocks in `poll`/`waitpid`, so it runs on a thread of its own (``DedicatedThread``), never on the
/// cooperative pool; the calling task suspends meanwhile. Cancelling that task sends SIGTERM to the command's
/// process group (SIGKILL after ``grace``) and ends it as ``HookCommandResult/Ending/interrupted``.
///
/// The fork and exec are a C function of `CLinux` (``ProcessCalls``) rather than swiftlang/swift-subprocess: that
/// package could drop privileges and signal a process group too, but it is one more package to build for about a
/// hundred lines of C, and it waits on a monitor thread of its own that outlives every child; here the child does
/// only async-signal-safe calls between fork and exec, and the wait runs on a thread facedrop names and ends.
package struct HookCommand: Sendable {
    /// The time between SIGTERM and SIGKILL.
    package static let grace: Duration = .seconds(5)
    /// Output kept for the log; the rest is read and dropped, so a chatty command never blocks on a full pipe.
    package static let outputLimit = 16_384

    /// The program (an absolute path) and its arguments.
    package var arguments: [String]
    /// `NAME=value` entries: all the command's environment.
    package var environment: [String]
    package var timeout: Duration
    /// Who the command runs as: nil runs it as the daemon's user; a root daemon never passes nil (``HookRunner``).
    package var user: String?
    package var grace: Duration = HookCommand.grace

    package init(arguments: [String], environment: [String], timeout: Duration, user: String? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
        self.user = user
    }

    /// Whether the daemon runs as root, where a command needs a `hook_user`.
    package static var daemonIsRoot: Bool { ProcessCalls.effectiveUserID == 0 }

    /// Runs the command to its end, its timeout, or the calling task's cancellation.
    ///
    /// Everything that may block (the user database, the fork, which copies the daemon's page tables, the wait for
    /// the exec, the wait for the end) happens on the hook's own thread; the task only suspends.
    package func run() async throws(HookError) -> HookCommandResult {
        let stop: (read: Int32, write: Int32)
        switch ProcessCalls.pipe() {
        case .success(let ends): stop = ends
        case .failure(let error): throw .notStarted(program: arguments.first ?? "", reason: "pipe: \(error)")
        }
        defer {
            ProcessCalls.close(stop.read)
            ProcessCalls.close(stop.write)
        }
        let command = self
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HookCommandResult, HookError>, Never>) in
                DedicatedThread.start(name: "facedrop-hook") {
                    continuation.resume(returning: command.runBlocking(stop: stop.read))
                }
            }
        } onCancel: {
            ProcessCalls.poke(stop.write)
        }
        return try outcome.get()
    }

    /// Starts the command and waits for it, on the calling (dedicated) thread; `stop` readable stops it.
    private func runBlocking(stop: Int32) -> Result<HookCommandResult, HookError> {
        let program = arguments.first ?? ""
        var account: ProcessCalls.Account?
        if let user {
            guard let found = ProcessCalls.account(named: user) else { return .failure(.unknownUser(user)) }
            // Already that user: nothing to drop (and a non-root daemon could not switch to anyone else anyway).
            account = found.uid == ProcessCalls.effectiveUserID ? nil : found
        }
        let output: (read: Int32, write: Int32)
        switch ProcessCalls.pipe() {
        case .success(let ends): output = ends
        case .failure(let error): return .failure(.notStarted(program: program, reason: "pipe: \(error)"))
        }
        defer { ProcessCalls.close(output.read) }
        let spawned = ProcessCalls.spawn(arguments, environment: environment, output: output.write, account: account)
        ProcessCalls.close(output.write)
        let pid: Int32
        switch spawned {
        case .success(let child): pid = child
        case .failure(let error): return .failure(.notStarted(program: program, reason: "\(error)"))
        }
        switch ProcessCalls.wait(for: pid, output: output.read, stop: stop, timeout: timeout, grace: grace, capacity: Self.outputLimit) {
        case .failure(let error):
            return .failure(.waitFailed(reason: "\(error)"))
        case .success(let ending):
            let (code, signal) = ProcessCalls.decode(ending.status)
            let result: HookCommandResult.Ending =
                switch ending.stoppedBy {
                case 1: .timedOut
                case 2: .interrupted
                default: code.map { .exited($0) } ?? .signaled(signal ?? 0)
                }
            return .success(HookCommandResult(ending: result, output: String(decoding: ending.output, as: UTF8.self), droppedBytes: ending.dropped))
        }
    }
}
