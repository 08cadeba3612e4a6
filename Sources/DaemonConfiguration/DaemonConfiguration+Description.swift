import SegmindCatalog
import StrictJSON

extension DaemonConfiguration: CustomStringConvertible {
    /// The configuration as `facedrop check` prints it.
    ///
    /// It never holds a secret: the key is not part of the configuration, and the text only says
    /// where it will be looked for.
    public var description: String {
        var lines = [
            "[api]",
            "  base_url = \(api.baseURL)",
            "  API key from $CREDENTIALS_DIRECTORY/segmind-api-key, else "
                + (api.keyFile.map { "key_file \($0)" } ?? "no key_file") + ", else $SEGMIND_API_KEY",
            "  requests_per_minute = \(api.requestsPerMinute), request_burst = "
                + (api.requestBurst.map { "\($0)" } ?? "a tenth of it, 1 to 5") + ", max_in_flight = \(api.maxInFlight)",
            "  timeouts: connect \(api.connectTimeout.configurationText), request "
                + "\(api.requestTimeout.configurationText), download \(api.downloadTimeout.configurationText)",
            "[credits]",
            "  warn_below = \(credits.warnBelow) USD",
            "  budget: \(credits.budget.configurationText); unknown_cost = \(credits.unknownCost) USD an image",
            "[state]",
            "  dir = \(state.directory)",
            "  keep_journal_days = \(state.keepJournalDays)",
            "[metrics]",
            "  " + metrics.configurationText,
            "[hosts]",
            "  " + hosts.configurationText,
            "[memory]",
            "  " + memory.configurationText,
        ]
        for inbox in inboxes {
            lines += [
                "[[inbox]] \"\(inbox.name)\"",
                "  path = \(inbox.path)",
                "  outbox = \(inbox.outbox)",
                "  model = \(inbox.model ?? "(none: each sidecar names one)")",
                "  sidecar = \(inbox.sidecar.rawValue)",
                "  settle \(inbox.settle.configurationText), orphan_after \(inbox.orphanAfter.configurationText), "
                    + "rescan_interval \(inbox.rescanInterval.configurationText)"
                    + (inbox.networkFilesystem ? " (network filesystem)" : ""),
                "  shared = \(inbox.shared)" + (inbox.shared ? " (a lease in .facedrop/hosts/, receipts in each claim folder)" : ""),
                "  weight = \(inbox.weight), fair_share = \(inbox.fairShare.rawValue)",
                "  defaults = " + JSONValue.object(inbox.defaults).serializedString(),
                "  budget: \(inbox.budget.configurationText); over_budget = \(inbox.overBudget.rawValue)",
                "  generation parameters: " + (inbox.embedMetadata ? "written into each picture" : "in an .xmp file beside each picture"),
                "  output names: \(inbox.outputName).<ext>",
                "  retention: \(inbox.retention.configurationText)",
            ]
            lines += inbox.hooks.descriptionLines
        }
        if !warnings.isEmpty {
            lines.append("warnings:")
            lines += warnings.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
