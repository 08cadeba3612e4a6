/// The `[credits]` table.
public struct CreditsConfiguration: Sendable, Hashable {
    /// A warning is raised when the balance falls below this many USD.
    public var warnBelow: Double

    /// While credits are exhausted, how often the free balance endpoint is asked whether they are back.
    public var recheckInterval: Duration

    /// The whole service's spending limits (`daily_budget`, `monthly_budget`), over every inbox.
    public var budget: SpendLimits

    /// The price of one image assumed for a model whose catalog entry has no price (`unknown_cost`, USD).
    /// It errs high on purpose: a budget must not be overrun because a price was unknown.
    public var unknownCost: Double

    public init(
        warnBelow: Double = 2.0,
        recheckInterval: Duration = .seconds(60),
        budget: SpendLimits = SpendLimits(),
        unknownCost: Double = 0.5
    ) {
        self.warnBelow = warnBelow
        self.recheckInterval = recheckInterval
        self.budget = budget
        self.unknownCost = unknownCost
    }
}
