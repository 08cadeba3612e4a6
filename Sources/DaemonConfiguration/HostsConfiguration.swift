/// The `[hosts]` table: how the hosts that share an inbox (`shared = true`) watch over each other.
///
/// Every host of a share keeps a lease file in the inbox's `.facedrop/hosts/`, renewed every `lease_interval`;
/// a host whose lease has gone unrenewed for longer than `takeover_after`, on the share's own clock, is dead, and
/// the others adopt its claims. Every host of one share must use the same `takeover_after`.
public struct HostsConfiguration: Sendable, Hashable {
    /// How often this host renews its lease (`lease_interval`, seconds).
    public var leaseInterval: Duration
    /// How long a lease may go unrenewed before its host counts as dead (`takeover_after`, seconds): long enough
    /// for a host to ride out a slow share or a short network outage, since a host taken over stands down.
    public var takeoverAfter: Duration
    /// The Segmind account's rate limit (`account_requests_per_minute`: 5 on the Free plan, 50 on Pro), which all
    /// hosts on the account share. When set, each host checks at every lease renewal that the `requests_per_minute`
    /// of the live hosts on its shared inboxes add up to no more, and warns when they do; nil to leave it unchecked.
    public var accountRequestsPerMinute: Int?

    public init(
        leaseInterval: Duration = Self.defaultLeaseInterval,
        takeoverAfter: Duration = Self.defaultTakeoverAfter,
        accountRequestsPerMinute: Int? = nil
    ) {
        self.leaseInterval = leaseInterval
        self.takeoverAfter = takeoverAfter
        self.accountRequestsPerMinute = accountRequestsPerMinute
    }

    public static let defaultLeaseInterval: Duration = .seconds(30)
    public static let defaultTakeoverAfter: Duration = .seconds(300)
    /// `takeover_after` must span at least this many lease intervals, so that one late renewal never looks like
    /// a death.
    public static let minimumIntervalsBeforeTakeover = 3
}
