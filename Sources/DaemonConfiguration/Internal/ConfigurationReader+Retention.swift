/// The outbox's retention: `[[inbox]] keep_done`, `keep_failed`, `keep_cancelled`, `keep_logs`.
extension ConfigurationReader {
    static let inboxRetentionKeys = ["keep_done", "keep_failed", "keep_cancelled", "keep_logs"]
    /// A century: more days than that is a typo for "for ever", which is leaving the key out.
    static let retentionDays = 1...36_500
    static let retentionCount = 1...100_000_000

    /// An inbox's retention; each key is a number of days or a table `{ days = N, count = M }`.
    static func readRetention(_ reader: TableReader, into problems: inout [String]) -> RetentionSettings {
        let failed = readLimit("keep_failed", reader, into: &problems)
        return RetentionSettings(
            done: readLimit("keep_done", reader, into: &problems),
            failed: failed,
            cancelled: reader.table.keys.contains("keep_cancelled") ? readLimit("keep_cancelled", reader, into: &problems) : failed,
            logs: readLimit("keep_logs", reader, into: &problems)
        )
    }

    /// Inboxes sharing an outbox prune it as one, so they must ask the same of it.
    static func retentionProblems(_ inboxes: [InboxConfiguration]) -> [String] {
        var problems: [String] = []
        var first: [String: InboxConfiguration] = [:]
        for inbox in inboxes {
            guard let other = first[inbox.outbox] else {
                first[inbox.outbox] = inbox
                continue
            }
            if other.retention != inbox.retention {
                problems.append(
                    "[[inbox]] \"\(inbox.name)\" keep_*: it shares the outbox \(inbox.outbox) with [[inbox]] \"\(other.name)\", "
                        + "so keep_done, keep_failed, keep_cancelled and keep_logs must be the same in both "
                        + "(\(inbox.retention.configurationText) here; \(other.retention.configurationText) there)"
                )
            }
        }
        return problems
    }

    private static func readLimit(_ key: String, _ reader: TableReader, into problems: inout [String]) -> RetentionLimit {
        let syntax = "must be a number of days (keep_done = 30) or a table such as { days = 30, count = 1000 }"
        switch reader.table[key] {
        case nil:
            return .forever
        case .integer(let days)?:
            guard retentionDays.contains(days) else {
                reader.problem(key, "a number of days must be from 1 to \(retentionDays.upperBound), got \(days)", into: &problems)
                return .forever
            }
            return RetentionLimit(days: days)
        case .table(let table)?:
            let limit = TableReader(label: "\(reader.label) \(key)", table: table, knownKeys: ["days", "count"])
            limit.reportUnknownKeys(into: &problems)
            let days = limit.integer("days", in: retentionDays, into: &problems)
            let count = limit.integer("count", in: retentionCount, into: &problems)
            if table["days"] == nil, table["count"] == nil {
                reader.problem(key, "sets neither days nor count; leave the key out to keep everything", into: &problems)
            }
            return RetentionLimit(days: days, count: count)
        case let node?:
            reader.problem(key, "\(syntax), got \(node.kindDescription)", into: &problems)
            return .forever
        }
    }
}
