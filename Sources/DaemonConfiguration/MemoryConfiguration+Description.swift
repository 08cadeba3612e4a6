extension MemoryConfiguration {
    /// The table as `facedrop check` prints it.
    var configurationText: String {
        "release_when_idle_after = " + (releaseWhenIdleAfter.map { "\($0.configurationText) without a job in flight" } ?? "never")
    }
}
