package import Clocks

/// Moving a test clock once the code under test waits on it.
///
/// A `TestClock` wakes only the sleeps it knows of when it moves. Code that starts a sleep from another
/// task may not have started it yet when the test moves the clock; a sleep until an instant that has
/// passed returns at once, but one until exactly the clock's present waits for its next move. These
/// helpers move the clock, then keep waking what is due until the effect the test waits for is there.
extension TestClock where Duration == Swift.Duration {
    /// Whether some task sleeps on this clock now.
    package var hasSleepers: Bool {
        get async { (try? await checkSuspension()) == nil }
    }

    /// Waits (in real time, up to `timeout`) until some task sleeps on this clock, and says whether one did.
    package func waitForSleeper(timeout: Duration = .seconds(15)) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(1)) { await hasSleepers }
    }

    /// Moves the clock by `duration`, then wakes sleeps that are due by then until `condition` holds (in
    /// real time, up to `timeout`), and says whether it did. The clock itself moves only by `duration`.
    package func advance(
        by duration: Duration,
        until condition: () async throws -> Bool,
        timeout: Duration = .seconds(15)
    ) async rethrows -> Bool {
        await advance(by: duration)
        return try await eventually(timeout: timeout, every: .milliseconds(1)) {
            if try await condition() { return true }
            await advance(by: .zero)
            return try await condition()
        }
    }
}
