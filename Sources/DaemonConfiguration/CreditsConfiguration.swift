/// The `[credits]` table.
public struct CreditsConfiguration: Sendable, Hashable {
    /// A warning is raised when the balance falls below this many USD.
    public var warnBelow: Double

    /// While credits are exhausted, how often the free balance endpoint is asked whether they are back.
    public var recheckInterval: Duration

    public init(warnBelow: Double = 2.0, recheckInterval: Duration = .seconds(60)) {
        self.warnBelow = warnBelow
        self.recheckInterval = recheckInterval
    }
}
