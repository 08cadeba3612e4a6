import struct Foundation.TimeInterval

extension Duration {
    /// The duration in seconds, as `Date` arithmetic wants it.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// "600 s", "1.5 s": how long something waited, for a reason a user reads.
    var secondsText: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds) s" }
        let milliseconds = (timeInterval * 1000).rounded() / 1000
        return "\(milliseconds) s"
    }
}
