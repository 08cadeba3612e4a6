/// The `[hosts]` table.
extension ConfigurationReader {
    static func readHosts(_ table: [String: TOMLNode], into problems: inout [String]) -> HostsConfiguration {
        let reader = TableReader(label: "[hosts]", table: table, knownKeys: ["lease_interval", "takeover_after", "account_requests_per_minute"])
        reader.reportUnknownKeys(into: &problems)
        var hosts = HostsConfiguration()
        hosts.leaseInterval = reader.duration("lease_interval", atLeast: 1, into: &problems) ?? hosts.leaseInterval
        hosts.takeoverAfter = reader.duration("takeover_after", atLeast: 1, into: &problems) ?? hosts.takeoverAfter
        hosts.accountRequestsPerMinute = reader.integer("account_requests_per_minute", in: 1...100_000, into: &problems)
        let intervals = HostsConfiguration.minimumIntervalsBeforeTakeover
        if hosts.takeoverAfter < hosts.leaseInterval * intervals {
            reader.problem(
                "takeover_after",
                "must be at least \(intervals) lease intervals (\((hosts.leaseInterval * intervals).configurationText)), "
                    + "so that one late renewal is never taken for a dead host; got \(hosts.takeoverAfter.configurationText)",
                into: &problems
            )
        }
        return hosts
    }
}
