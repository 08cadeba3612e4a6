import Foundation

/// The hook keys of an `[[inbox]]` table.
extension ConfigurationReader {
    static let hookKeys = [
        "on_done", "on_failed", "hook_timeout", "hook_user", "webhook_url", "webhook_secret_file", "webhook_retry_initial",
        "webhook_retry_max", "webhook_attempts", "webhook_give_up_after",
    ]

    static func readHooks(_ reader: TableReader, into problems: inout [String]) -> HookConfiguration {
        var hooks = HookConfiguration()
        hooks.onDone = command("on_done", reader, into: &problems)
        hooks.onFailed = command("on_failed", reader, into: &problems)
        hooks.timeout = reader.duration("hook_timeout", atLeast: 0.1, into: &problems) ?? hooks.timeout
        if let user = reader.string("hook_user", into: &problems) {
            if user.isEmpty || user.contains(where: { $0 == ":" || $0 == "/" || $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) {
                reader.problem("hook_user", "must be a user name, got \"\(user)\"", into: &problems)
            } else {
                hooks.user = user
            }
        }
        if let text = reader.string("webhook_url", into: &problems) {
            if let url = webhookURL(text) {
                hooks.webhookURL = url
            } else {
                reader.problem(
                    "webhook_url",
                    "must be an http or https URL with a host, such as \"https://hooks.example.com/facedrop\", got \"\(text)\"",
                    into: &problems
                )
            }
        }
        hooks.webhookSecretFile = reader.absolutePath("webhook_secret_file", into: &problems)
        if hooks.webhookSecretFile != nil, hooks.webhookURL == nil, reader.table["webhook_url"] == nil {
            reader.problem("webhook_secret_file", "signs webhooks, but no webhook_url is set", into: &problems)
        }
        let initial = reader.duration("webhook_retry_initial", atLeast: 0.1, into: &problems) ?? hooks.webhookRetry.initial
        let maximum = reader.duration("webhook_retry_max", atLeast: 0.1, into: &problems) ?? hooks.webhookRetry.maximum
        if maximum < initial {
            reader.problem("webhook_retry_max", "must be at least webhook_retry_initial", into: &problems)
        }
        hooks.webhookRetry = WebhookRetry(
            initial: initial,
            maximum: maximum,
            attempts: reader.integer("webhook_attempts", in: 1...10_000, into: &problems) ?? hooks.webhookRetry.attempts,
            giveUpAfter: reader.duration("webhook_give_up_after", into: &problems) ?? hooks.webhookRetry.giveUpAfter
        )
        return hooks
    }

    /// A command as an argument list: a non-empty array of strings whose first is an absolute path (no shell runs
    /// it, so there is no `PATH` lookup to go wrong and nothing to quote).
    private static func command(_ key: String, _ reader: TableReader, into problems: inout [String]) -> [String]? {
        guard let node = reader.table[key] else { return nil }
        let example = "such as [\"/usr/local/bin/notify\", \"--channel\", \"art\"]"
        guard case .array(let elements) = node else {
            reader.problem(key, "must be an array of strings (the program and its arguments), \(example); got \(node.kindDescription)", into: &problems)
            return nil
        }
        var arguments: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                reader.problem(key, "element \(index + 1) must be a string, got \(element.kindDescription)", into: &problems)
                return nil
            }
            guard !text.utf8.contains(0) else {
                reader.problem(key, "element \(index + 1) holds a NUL character", into: &problems)
                return nil
            }
            arguments.append(text)
        }
        guard let program = arguments.first else {
            reader.problem(key, "must name a program, \(example); got an empty array", into: &problems)
            return nil
        }
        guard program.hasPrefix("/"), !program.hasSuffix("/") else {
            reader.problem(key, "the program must be an absolute path (no shell or PATH lookup runs it), got \"\(program)\"", into: &problems)
            return nil
        }
        return arguments
    }

    /// An http(s) URL with a host; credentials in it are refused, since the configuration file is no place for them.
    static func webhookURL(_ text: String) -> String? {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil
        else { return nil }
        return text
    }
}
