/// The configuration a test runs the daemon with, written out as the TOML file `facedrop run` reads.
///
/// The defaults suit the in-process emulator at a time scale of 0.01: a generous budget, short settle and
/// orphan times, and a first poll planned at the emulator's pace.
struct DaemonSettings {
    var baseURL: String
    var requestsPerMinute = 600
    /// `request_burst`, left out (the daemon's default) when `nil`.
    var requestBurst: Int?
    var maxInFlight = 8
    var jobDeadline = 120.0
    var runTimeScale = 0.01
    var warnBelow = 2.0
    var recheckInterval = 0.5
    /// `[credits] daily_budget` and `monthly_budget`, USD; nil leaves the key out.
    var dailyBudget: Double?
    var monthlyBudget: Double?
    var stateDirectory: String
    /// The `[metrics]` table's lines (`textfile = "…"`); empty leaves the table out.
    var metrics: [String] = []
    /// The `[hosts]` table's lines (`takeover_after = …`); empty leaves the table out.
    var hosts: [String] = []
    /// The `[memory]` table's lines (`release_when_idle_after = …`); empty leaves the table out.
    var memory: [String] = []
    var inboxes: [InboxSettings]

    /// The `facedrop.toml` text.
    var toml: String {
        var lines = [
            "[api]",
            "base_url = \(Self.quoted(baseURL))",
            "requests_per_minute = \(requestsPerMinute)",
            requestBurst.map { "request_burst = \($0)" } ?? "# request_burst: the default",
            "max_in_flight = \(maxInFlight)",
            "job_deadline = \(jobDeadline)",
            "run_time_scale = \(runTimeScale)",
            "",
            "[credits]",
            "warn_below = \(warnBelow)",
            "recheck_interval = \(recheckInterval)",
        ]
        lines += Self.budgetLines(daily: dailyBudget, monthly: monthlyBudget)
        lines += [
            "",
            "[state]",
            "dir = \(Self.quoted(stateDirectory))",
        ]
        if !metrics.isEmpty { lines += ["", "[metrics]"] + metrics }
        if !hosts.isEmpty { lines += ["", "[hosts]"] + hosts }
        if !memory.isEmpty { lines += ["", "[memory]"] + memory }
        for inbox in inboxes {
            lines += ["", "[[inbox]]"] + inbox.tomlLines
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `daily_budget` and `monthly_budget` lines for the limits given.
    static func budgetLines(daily: Double?, monthly: Double?) -> [String] {
        [("daily_budget", daily), ("monthly_budget", monthly)].compactMap { key, value in value.map { "\(key) = \($0)" } }
    }

    static func quoted(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            default: escaped.append(character)
            }
        }
        return "\"\(escaped)\""
    }
}

/// One `[[inbox]]` table.
struct InboxSettings {
    var name: String
    var path: String
    var outbox: String
    var model: String?
    var sidecar = "required"
    var settle = 0.3
    var orphanAfter = 5.0
    var rescanInterval = 2.0
    /// `[inbox.defaults]`, string values only (what the tests need).
    var defaults: [String: String] = [:]
    /// `weight` and `fair_share`, when set.
    var weight: Int?
    var fairShare: String?
    /// `daily_budget`, `monthly_budget` (USD) and `over_budget`; nil leaves the key out.
    var dailyBudget: Double?
    var monthlyBudget: Double?
    var overBudget: String?
    /// `embed_metadata`; nil leaves the key out (the default, true).
    var embedMetadata: Bool?
    /// `output_name`; nil leaves the key out (`{job}-{n}`).
    var outputName: String?
    /// Raw `keep_done = …`, `keep_failed = …`, `keep_cancelled = …`, `keep_logs = …` lines.
    var retention: [String] = []
    /// More `key = value` lines, written as they are (hooks, say).
    var extraLines: [String] = []

    var tomlLines: [String] {
        var lines = [
            "name = \(DaemonSettings.quoted(name))",
            "path = \(DaemonSettings.quoted(path))",
            "outbox = \(DaemonSettings.quoted(outbox))",
            "sidecar = \(DaemonSettings.quoted(sidecar))",
            "settle = \(settle)",
            "orphan_after = \(orphanAfter)",
            "rescan_interval = \(rescanInterval)",
        ]
        if let model { lines.append("model = \(DaemonSettings.quoted(model))") }
        if let weight { lines.append("weight = \(weight)") }
        if let fairShare { lines.append("fair_share = \(DaemonSettings.quoted(fairShare))") }
        lines += DaemonSettings.budgetLines(daily: dailyBudget, monthly: monthlyBudget)
        if let overBudget { lines.append("over_budget = \(DaemonSettings.quoted(overBudget))") }
        if let embedMetadata { lines.append("embed_metadata = \(embedMetadata)") }
        if let outputName { lines.append("output_name = \(DaemonSettings.quoted(outputName))") }
        lines += retention
        lines += extraLines
        if !defaults.isEmpty {
            lines.append("[inbox.defaults]")
            for (key, value) in defaults.sorted(by: { $0.key < $1.key }) {
                lines.append("\(key) = \(DaemonSettings.quoted(value))")
            }
        }
        return lines
    }
}
