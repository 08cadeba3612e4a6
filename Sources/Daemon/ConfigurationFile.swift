package import SegmindCatalog

/// The configuration file a reload reads, with what reading it needs and what a reload keeps from the start.
package struct ConfigurationFile: Sendable {
    package var path: String
    package var catalog: ModelCatalog
    /// Where `$CREDENTIALS_DIRECTORY` and the like are read from.
    package var environment: [String: String]
    /// The run-time scale the daemon started with (the built-in emulator's `time_scale` when emulated): the
    /// poll planner was built with it, so a reload keeps it whatever the file now says.
    package var runTimeScale: Double

    package init(path: String, catalog: ModelCatalog, environment: [String: String], runTimeScale: Double) {
        self.path = path
        self.catalog = catalog
        self.environment = environment
        self.runTimeScale = runTimeScale
    }
}
