extension SpendLimits {
    /// The limits as `facedrop check` prints them, saying that the periods are UTC ones.
    public var configurationText: String {
        func limit(_ value: Double?) -> String { value.map { "\($0) USD" } ?? "none" }
        return "daily_budget \(limit(daily)), monthly_budget \(limit(monthly)) (UTC days and months)"
    }
}
