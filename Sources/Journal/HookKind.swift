/// The hooks an inbox may run when a job ends, as the journal records them.
package enum HookKind: String, Sendable, Hashable, CaseIterable {
    /// `on_done` or `on_failed`: a command run with the job folder.
    case command
    /// `webhook_url`: the job's `result.json` or `error.json` POSTed.
    case webhook
}

/// How the job a hook runs for ended.
package enum HookEvent: String, Sendable, Hashable {
    case done
    case failed
}
