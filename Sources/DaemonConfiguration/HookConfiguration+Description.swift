extension HookConfiguration {
    /// The lines `facedrop check` prints for an inbox's hooks; the webhook secret's file is named, never read.
    var descriptionLines: [String] {
        guard !isEmpty else { return ["  hooks: none"] }
        var lines: [String] = []
        for (key, command) in [("on_done", onDone), ("on_failed", onFailed)] {
            guard let command else { continue }
            lines.append("  \(key) = \(command.map { "\"\($0)\"" }.joined(separator: " ")) <job folder>")
        }
        if onDone != nil || onFailed != nil {
            lines.append("    hook_timeout \(timeout.configurationText)" + (user.map { ", run as user \($0)" } ?? ""))
        }
        if let webhookURL {
            lines.append("  webhook_url = \(webhookURL)" + (webhookSecretFile.map { ", signed with the secret in \($0)" } ?? ", unsigned"))
            lines.append(
                "    retried \(webhookRetry.initial.configurationText) doubling to \(webhookRetry.maximum.configurationText), "
                    + "at most \(webhookRetry.attempts) attempts within \(webhookRetry.giveUpAfter.configurationText)"
            )
        }
        return lines
    }
}
