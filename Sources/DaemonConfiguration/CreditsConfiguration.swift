/// The `[credits]` table.
public struct CreditsConfiguration: Sendable, Hashable {
    /// A warning is raised when the balance falls below this many USD.
    public var warnBelow: Double

    public init(warnBelow: Double = 2.0) {
        self.warnBelow = warnBelow
    }
}
