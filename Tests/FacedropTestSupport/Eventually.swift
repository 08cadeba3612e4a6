/// Checks `condition` every `interval` until it holds or `timeout` has passed, and says whether it held.
///
/// Tests wait for asynchronous effects with this instead of sleeping a fixed time: on a loaded
/// machine a fixed sleep is either too short (a flaky failure) or needlessly long.
public func eventually(
    timeout: Duration = .seconds(15),
    every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try await condition() { return true }
        guard clock.now < deadline else { return false }
        try? await clock.sleep(for: interval)
    }
}
