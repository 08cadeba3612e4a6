package import DaemonConfiguration
package import DedicatedThreads
import FileSystem
import Foundation
package import Journal
package import Logging
import Synchronization

/// Runs the hooks of finished jobs from the journal: the command (`on_done`/`on_failed`) and the webhook.
///
/// A job's hooks are recorded as due in the transaction that ends the job (``due(inbox:event:)`` says which); the
/// runner then runs every unfinished hook in the journal and marks each finished once the command ran or the webhook
/// got a 2xx or gave up. At start it runs what a crash or a stop left unfinished: each hook runs at least once, and
/// in normal operation once. A hook is never run twice at the same time: the runner remembers the ones it runs.
package final class HookRunner: Sendable {
    /// An inbox's hooks and outbox, as the current configuration says.
    package struct InboxHooks: Sendable {
        package var hooks: HookConfiguration
        package var outbox: String

        package init(hooks: HookConfiguration, outbox: String) {
            self.hooks = hooks
            self.outbox = outbox
        }
    }

    /// The most a `result.json` or `error.json` may hold to be POSTed.
    static let bodyLimit = 4 << 20
    /// The most a webhook secret file may hold.
    static let secretLimit = 4096

    private let journal: JobJournal
    private let settings: @Sendable (_ inbox: String) -> InboxHooks?
    private let send: WebhookDelivery.Send
    private let clock: TimerClock
    private let failures: HookFailures
    private let language: String
    private let logger: Logger
    /// The hooks being run now, by ID, and whether new runs may start.
    private let running = Mutex<(tasks: [Int64: Task<Void, Never>], open: Bool)>(([:], true))

    package init(
        journal: JobJournal,
        settings: @escaping @Sendable (_ inbox: String) -> InboxHooks?,
        send: @escaping WebhookDelivery.Send,
        clock: TimerClock = TimerClock(),
        failures: HookFailures,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger
    ) {
        self.journal = journal
        self.settings = settings
        self.send = send
        self.clock = clock
        self.failures = failures
        self.language = environment["LANG"].flatMap { $0.isEmpty ? nil : $0 } ?? "C.UTF-8"
        self.logger = logger
    }

    /// The hooks `inbox` runs for a job that ended as `event`: what the job's end records as due.
    package func due(inbox: String, event: HookEvent) -> [HookKind] {
        guard let hooks = settings(inbox)?.hooks else { return [] }
        var kinds: [HookKind] = []
        if hooks.command(done: event == .done) != nil { kinds.append(.command) }
        if hooks.webhookURL != nil { kinds.append(.webhook) }
        return kinds
    }

    /// Starts every unfinished hook that is not running yet; returns at once.
    package func dispatch() {
        Task(executorPreference: ExecutorPreference.current) { await self.startUnfinished() }
    }

    /// Runs the unfinished hooks, then waits until cancelled; then interrupts the hooks running (each runs again at
    /// the next start) and returns once they have ended.
    package func run() async {
        await startUnfinished()
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                try? await TimerClock().sleep(for: .seconds(100 * 365 * 86_400))
            }
        } onCancel: {
            self.running.withLock { $0.open = false }
        }
        let tasks = running.withLock { Array($0.tasks.values) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// Reads the unfinished hooks and starts those not running, all under the lock a hook's task takes to leave
    /// ``running``: a hook that finishes meanwhile is either still listed as running here or already finished in the
    /// journal, never neither, so it is not started a second time.
    private func startUnfinished() async {
        running.withLock { state in
            guard state.open else { return }
            let pending: [PendingHook]
            do {
                pending = try journal.unfinishedHooks()
            } catch {
                logger.error("the journal's unfinished hooks could not be read", metadata: ["error": "\(error)"])
                return
            }
            // A job's hooks start together, the webhook's body read first: a command may move the job folder away.
            for (_, hooks) in Dictionary(grouping: pending, by: \.jobID).sorted(by: { $0.key < $1.key }) {
                let fresh = hooks.filter { state.tasks[$0.id] == nil }
                guard !fresh.isEmpty else { continue }
                let task = Task(executorPreference: ExecutorPreference.current) {
                    await self.runJobHooks(fresh)
                    self.running.withLock { state in
                        for hook in fresh { state.tasks[hook.id] = nil }
                    }
                }
                for hook in fresh { state.tasks[hook.id] = task }
            }
        }
    }

    private func runJobHooks(_ hooks: [PendingHook]) async {
        let body: Result<[UInt8], HookError>? = hooks.contains { $0.kind == .webhook } ? Self.readBody(hooks[0]) : nil
        await withTaskGroup(of: Void.self) { group in
            for hook in hooks {
                group.addTask {
                    switch hook.kind {
                    case .command: await self.runCommand(hook)
                    case .webhook: await self.sendWebhook(hook, body: body ?? .failure(.bodyUnreadable(path: hook.folder, reason: "not read")))
                    }
                }
            }
        }
    }

    // MARK: Commands

    private func runCommand(_ hook: PendingHook) async {
        let inbox = settings(hook.inbox)
        guard let inbox, let arguments = inbox.hooks.command(done: hook.event == .done) else {
            await finish(hook, outcome: "skipped: the inbox no longer has this hook")
            return
        }
        if HookCommand.daemonIsRoot, inbox.hooks.user == nil {
            failures.record(hook, reason: HookError.refusedAsRoot.description, outbox: inbox.outbox)
            await finish(hook, outcome: "refused: root without hook_user")
            return
        }
        let command = HookCommand(
            arguments: arguments + [hook.folder],
            environment: environment(for: hook),
            timeout: inbox.hooks.timeout,
            user: inbox.hooks.user
        )
        try? await journal.recordHookAttempt(hook.id)
        logger.info("running a hook", metadata: ["job": "\(hook.job)", "program": "\(arguments[0])", "folder": "\(hook.folder)"])
        let result: HookCommandResult
        do {
            result = try await command.run()
        } catch {
            failures.record(hook, reason: error.description, outbox: inbox.outbox)
            await finish(hook, outcome: "not started: \(error)")
            return
        }
        if result.ending == .interrupted {
            logger.notice("a hook was stopped with the daemon; it runs again at the next start", metadata: ["job": "\(hook.job)"])
            return
        }
        let output = result.output + (result.droppedBytes > 0 ? "\n[\(result.droppedBytes) more bytes dropped]" : "")
        if result.succeeded {
            logger.notice("hook ran", metadata: ["job": "\(hook.job)", "outcome": "\(result.outcome)", "output": "\(output)"])
        } else {
            let reason =
                result.ending == .timedOut
                ? "\(arguments[0]) ran longer than hook_timeout (\(inbox.hooks.timeout)) and was stopped"
                : "\(arguments[0]) ended with \(result.outcome)"
            failures.record(hook, reason: reason, outbox: inbox.outbox, output: output)
        }
        await finish(hook, outcome: result.outcome)
    }

    /// The command's whole environment: `PATH`, `LANG` and the job's `FACEDROP_*` variables; nothing of the daemon's
    /// (no API key, no credentials directory).
    func environment(for hook: PendingHook) -> [String] {
        var variables = [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG=\(language)",
            "FACEDROP_JOB=\(hook.job)",
            "FACEDROP_INBOX=\(hook.inbox)",
            "FACEDROP_STATUS=\(hook.event.rawValue)",
            "FACEDROP_FOLDER=\(hook.folder)",
            "FACEDROP_RESULT=\(Self.recordPath(hook))",
            "FACEDROP_REQUEST_ID=\(hook.requestID ?? "")",
            "FACEDROP_MODEL=\(hook.model ?? "")",
            "FACEDROP_COST=\(hook.cost.map { String(format: "%.6f", $0) } ?? "")",
        ]
        if hook.event == .failed { variables.append("FACEDROP_CODE=\(hook.errorCode ?? "")") }
        // A NUL cannot be passed; names never hold one, but a value is cut there rather than lost.
        return variables.map { String($0.prefix { $0 != "\0" }) }
    }

    static func recordPath(_ hook: PendingHook) -> String {
        "\(hook.folder)/\(hook.event == .done ? "result.json" : "error.json")"
    }

    // MARK: Webhooks

    private static func readBody(_ hook: PendingHook) -> Result<[UInt8], HookError> {
        let path = recordPath(hook)
        do {
            return .success(try Files.read(path, limit: bodyLimit))
        } catch {
            return .failure(.bodyUnreadable(path: path, reason: "\(error)"))
        }
    }

    private func sendWebhook(_ hook: PendingHook, body: Result<[UInt8], HookError>) async {
        let inbox = settings(hook.inbox)
        guard let inbox, let url = inbox.hooks.webhookURL else {
            await finish(hook, outcome: "skipped: the inbox no longer has this hook")
            return
        }
        let bytes: [UInt8]
        switch body {
        case .success(let read): bytes = read
        case .failure(let error):
            failures.record(hook, reason: error.description, outbox: inbox.outbox)
            await finish(hook, outcome: "gave up: \(error)")
            return
        }
        var secret: [UInt8]?
        if let path = inbox.hooks.webhookSecretFile {
            do {
                secret = Self.trimmed(try Files.read(path, limit: Self.secretLimit, followingLink: true))
            } catch {
                // Unsigned, it would be refused by a receiver that checks; the hook fails instead.
                failures.record(hook, reason: "the webhook secret could not be read from \(path): \(error)", outbox: inbox.outbox)
                await finish(hook, outcome: "gave up: no secret")
                return
            }
        }
        let delivery = WebhookDelivery(url: url, retry: inbox.hooks.webhookRetry, clock: clock, send: send)
        let request = delivery.request(body: bytes, event: hook.event.rawValue, job: hook.job, inbox: hook.inbox, deliveryID: hook.id, secret: secret)
        let elapsed = max(0, Date().timeIntervalSince(hook.dueAt))
        let (journal, logger) = (self.journal, self.logger)
        let outcome = await delivery.deliver(
            request,
            attemptsBefore: hook.attempts,
            elapsedBefore: .milliseconds(Int64(elapsed * 1000)),
            beforeAttempt: { try? await journal.recordHookAttempt(hook.id) },
            afterFailure: { reason, delay in
                logger.warning("a webhook was not accepted; retrying", metadata: ["job": "\(hook.job)", "reason": "\(reason)", "retry_in": "\(delay)"])
            }
        )
        switch outcome {
        case .delivered(let status, let attempts):
            logger.notice("webhook delivered", metadata: ["job": "\(hook.job)", "status": "\(status)", "attempts": "\(attempts)"])
            await finish(hook, outcome: "HTTP \(status)")
        case .gaveUp(let reason, let attempts):
            failures.record(hook, reason: "the webhook to \(url) was given up after \(attempts) attempts; the last got \(reason)", outbox: inbox.outbox)
            await finish(hook, outcome: "gave up: \(reason)")
        case .interrupted:
            return
        }
    }

    /// The secret without the line end an editor or `echo` leaves.
    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        return bytes
    }

    private func finish(_ hook: PendingHook, outcome: String) async {
        do {
            try await journal.finishHook(hook.id, outcome: outcome)
        } catch {
            logger.error("a finished hook could not be recorded; it runs again at the next start", metadata: ["job": "\(hook.job)", "error": "\(error)"])
        }
    }
}
