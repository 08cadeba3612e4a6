/// What one inbox, or the whole service, spent and has in flight in the current UTC day and month, in USD.
///
/// Booked spend is what Segmind reported (`metrics.cost`); in flight is the estimate of every job let
/// through the gate whose cost is not booked yet, counted as spent so that concurrent jobs, and jobs caught
/// by a crash, cannot overrun a budget.
package struct SpendTotals: Sendable, Hashable {
    package var bookedToday: Double = 0
    package var inFlightToday: Double = 0
    package var bookedThisMonth: Double = 0
    package var inFlightThisMonth: Double = 0

    package init(bookedToday: Double = 0, inFlightToday: Double = 0, bookedThisMonth: Double = 0, inFlightThisMonth: Double = 0) {
        self.bookedToday = bookedToday
        self.inFlightToday = inFlightToday
        self.bookedThisMonth = bookedThisMonth
        self.inFlightThisMonth = inFlightThisMonth
    }

    /// Today's spend, booked and in flight.
    package var today: Double { bookedToday + inFlightToday }
    /// This month's spend, booked and in flight.
    package var thisMonth: Double { bookedThisMonth + inFlightThisMonth }

    /// The sum of two totals (inboxes added into the service's).
    package static func + (left: SpendTotals, right: SpendTotals) -> SpendTotals {
        SpendTotals(
            bookedToday: left.bookedToday + right.bookedToday,
            inFlightToday: left.inFlightToday + right.inFlightToday,
            bookedThisMonth: left.bookedThisMonth + right.bookedThisMonth,
            inFlightThisMonth: left.inFlightThisMonth + right.inFlightThisMonth
        )
    }
}
