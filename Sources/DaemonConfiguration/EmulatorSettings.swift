/// The `[emulator]` table: how the built-in offline Segmind emulator behaves when `base_url = "emulator"`.
///
/// The defaults make the offline demo quick: model time runs twenty times faster than Segmind's, so a
/// 13-second model answers in well under a second, while the protocol (queueing, polling, credits) stays the same.
public struct EmulatorSettings: Sendable, Hashable {
    /// How fast model time runs: 1 is Segmind's real pace, 0.05 runs a 13 s model in 0.65 s.
    public var timeScale: Double
    /// The emulated account's balance in USD.
    public var credits: Double
    /// Seconds a request stays QUEUED before it runs, before scaling by `timeScale`.
    public var queueSeconds: Double
    /// `run_times`: seconds a model runs, by slug, before scaling by `timeScale`, instead of the catalog's
    /// figure; a way to see how facedrop's polls cope with a Segmind slower or faster than published.
    public var runSeconds: [String: Double]

    public init(timeScale: Double = 0.05, credits: Double = 100, queueSeconds: Double = 2, runSeconds: [String: Double] = [:]) {
        self.timeScale = timeScale
        self.credits = credits
        self.queueSeconds = queueSeconds
        self.runSeconds = runSeconds
    }
}
