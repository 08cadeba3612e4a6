extension HostsConfiguration {
    /// The table as `facedrop check` prints it.
    var configurationText: String {
        "lease_interval = \(leaseInterval.configurationText), takeover_after = \(takeoverAfter.configurationText), account_requests_per_minute = "
            + (accountRequestsPerMinute.map { "\($0)" } ?? "unchecked") + " (for inboxes with shared = true)"
    }
}
