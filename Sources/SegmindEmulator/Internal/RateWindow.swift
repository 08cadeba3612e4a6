import Foundation

/// A sliding one-minute window of admitted requests, for the requests-per-minute limit.
struct RateWindow: Sendable {
    private var admitted: [Date] = []

    /// Admits a request at `now`, or answers the time at which the window frees a slot.
    mutating func admit(at now: Date, limit: Int) -> Date? {
        admitted.removeAll { now.timeIntervalSince($0) >= 60 }
        guard admitted.count >= limit else {
            admitted.append(now)
            return nil
        }
        return admitted[admitted.count - limit].addingTimeInterval(60)
    }

    mutating func reset() {
        admitted.removeAll()
    }
}
