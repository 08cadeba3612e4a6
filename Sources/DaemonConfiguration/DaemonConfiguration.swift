/// Everything `facedrop run` needs to know, read from `/etc/facedrop/facedrop.toml`.
///
/// Loading checks the whole file and reports every problem at once, because a daemon that refuses to
/// start over one typo at a time wastes a restart cycle per typo. Unknown tables and keys are
/// problems too: a misspelt `requests_per_minte` must not silently leave the default in place.
///
/// ```swift
/// let configuration = try DaemonConfiguration.load(
///     path: "/etc/facedrop/facedrop.toml", catalog: try .bundled(),
///     environment: ProcessInfo.processInfo.environment)
/// ```
public struct DaemonConfiguration: Sendable, Hashable {
    /// The `[api]` table.
    public var api: APIConfiguration
    /// The `[credits]` table.
    public var credits: CreditsConfiguration
    /// The `[state]` table.
    public var state: StateConfiguration
    /// The `[emulator]` table, used when `base_url = "emulator"`.
    public var emulator: EmulatorSettings
    /// The `[metrics]` table: the node_exporter textfile and the `GET /metrics` endpoint.
    public var metrics: MetricsConfiguration
    /// The `[hosts]` table: leases and takeover for inboxes shared by several hosts.
    public var hosts: HostsConfiguration
    /// The `[memory]` table: what an idle daemon gives back.
    public var memory: MemoryConfiguration
    /// The `[[inbox]]` tables, in the file's order.
    public var inboxes: [InboxConfiguration]
    /// Things worth a look that do not stop the daemon, e.g. an inbox default the catalog does not
    /// know (it is sent as given).
    public var warnings: [String]

    public init(
        api: APIConfiguration = APIConfiguration(),
        credits: CreditsConfiguration = CreditsConfiguration(),
        state: StateConfiguration = StateConfiguration(),
        emulator: EmulatorSettings = EmulatorSettings(),
        metrics: MetricsConfiguration = MetricsConfiguration(),
        hosts: HostsConfiguration = HostsConfiguration(),
        memory: MemoryConfiguration = MemoryConfiguration(),
        inboxes: [InboxConfiguration] = [],
        warnings: [String] = []
    ) {
        self.api = api
        self.credits = credits
        self.state = state
        self.emulator = emulator
        self.metrics = metrics
        self.hosts = hosts
        self.memory = memory
        self.inboxes = inboxes
        self.warnings = warnings
    }
}
