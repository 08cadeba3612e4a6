package import Foundation
package import Journal
package import Logging
import Outbox
import ServiceMetrics
import StrictJSON
import Synchronization

/// The one place a failed hook is recorded: a log line, `warnings/<time>-hook-failed.json` in the job's outbox, and
/// the `facedrop_hook_failures_total` counter (by inbox and hook: `on_done`, `on_failed`, `webhook`). A failed hook
/// never changes its job.
package final class HookFailures: Sendable {
    private let logger: Logger
    private let counter = Atomic<Int>(0)
    private let now: @Sendable () -> Date

    package init(logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.logger = logger
        self.now = now
    }

    /// Hook failures since the daemon started.
    package var count: Int { counter.load(ordering: .relaxed) }

    /// Records that `hook` failed for `reason`; `outbox` is the job's outbox, where the warning goes.
    package func record(_ hook: PendingHook, reason: String, outbox: String?, output: String? = nil) {
        counter.add(1, ordering: .relaxed)
        let kind = hook.kind == .command ? (hook.event == .done ? "on_done" : "on_failed") : "webhook"
        DaemonMetrics.hookFailed(inbox: hook.inbox, hook: kind)
        var metadata: Logger.Metadata = ["job": "\(hook.job)", "inbox": "\(hook.inbox)", "hook": "\(kind)", "reason": "\(reason)"]
        if let output, !output.isEmpty { metadata["output"] = "\(output)" }
        logger.error("a hook failed; the job is unchanged", metadata: metadata)
        guard let outbox else { return }
        let time = now()
        var warning: [String: JSONValue] = [
            "kind": "hook-failed",
            "time": .string(time.formatted(.iso8601)),
            "hook": .string(kind),
            "job": .string(hook.job),
            "inbox": .string(hook.inbox),
            "status": .string(hook.event.rawValue),
            "folder": .string(hook.folder),
            "message": .string(reason),
            "hint": .string(
                hook.kind == .command
                    ? "Run the command by hand with the job folder as its last argument to see why; the job itself is finished."
                    : "Check that the receiver is reachable and answers 2xx; the job itself is finished."
            ),
        ]
        if let output, !output.isEmpty { warning["output"] = .string(output) }
        do {
            try OutboxFolders(root: outbox).writeWarning(.object(warning), kind: "hook-failed", at: time)
        } catch {
            logger.error("a hook warning could not be written", metadata: ["outbox": "\(outbox)", "error": "\(error)"])
        }
    }
}
