/// How much may be spent on Segmind in a UTC day and a UTC month, in USD; `nil` means no limit.
///
/// Anyone who can write to an inbox can make facedrop spend money. A limit keeps a flood of drops (a script
/// gone wrong, a hostile user of a shared folder) from emptying the account: a job whose estimated cost would
/// take a period over its limit waits (or fails, see ``OverBudgetPolicy``) instead of being submitted.
/// Days and months are calendar periods in UTC, the same for every machine whatever its time zone.
public struct SpendLimits: Sendable, Hashable {
    /// The most spent in one UTC day.
    public var daily: Double?
    /// The most spent in one UTC calendar month.
    public var monthly: Double?

    public init(daily: Double? = nil, monthly: Double? = nil) {
        self.daily = daily
        self.monthly = monthly
    }

    /// Whether neither period has a limit.
    public var isUnlimited: Bool { daily == nil && monthly == nil }
}
