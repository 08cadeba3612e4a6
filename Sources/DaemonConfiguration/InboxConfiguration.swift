import SegmindCatalog
public import StrictJSON

/// One `[[inbox]]` table: a watched folder and where its results go.
public struct InboxConfiguration: Sendable, Hashable {
    /// The periodic rescan on a local filesystem, where inotify misses little.
    public static let localRescanInterval: Duration = .seconds(300)
    /// The periodic rescan on a network filesystem, where inotify sees no remote writes.
    public static let networkRescanInterval: Duration = .seconds(30)

    /// A unique name, used in logs and `facedrop status`.
    public var name: String
    /// The watched folder: an absolute path, normalized (no trailing `/`, `.` or `..`).
    public var path: String
    /// Where results go: an absolute path, normalized.
    public var outbox: String
    /// The model for sidecars that name none; always a slug in the catalog.
    public var model: String?
    /// Parameters that fill what a sidecar leaves out; the sidecar wins.
    public var defaults: [String: JSONValue]
    /// Whether a face needs a sidecar.
    public var sidecar: SidecarPolicy
    /// How long a file's size and mtime must stay unchanged before it counts as written.
    public var settle: Duration
    /// How long half of a pair may wait for the other half before it goes to `failed/`.
    public var orphanAfter: Duration
    /// How often the inbox is scanned for what inotify missed.
    public var rescanInterval: Duration
    /// Whether the inbox lives on a network filesystem (NFS, SMB), which shortens the default rescan.
    public var networkFilesystem: Bool
    /// Whether other facedrop hosts share this inbox (`shared`): this host then keeps a lease in
    /// `.facedrop/hosts/`, writes each job's steps into its claim folder as receipts, and adopts the claims of a
    /// host that died (see ``HostsConfiguration``).
    public var shared: Bool
    /// This inbox's share of submission turns and of the request budget, against the other inboxes' weights.
    public var weight: Int
    /// Whether the inbox's turns are shared further between its top-level subfolders.
    public var fairShare: FairShare
    /// This inbox's spending limits (`daily_budget`, `monthly_budget`), within the service's.
    public var budget: SpendLimits
    /// What becomes of a job over budget (`over_budget`).
    public var overBudget: OverBudgetPolicy
    /// Whether the generation parameters are written into each output picture (`embed_metadata`, the default),
    /// or the pictures are left as Segmind sent them with an `.xmp` file beside each.
    public var embedMetadata: Bool
    /// How output pictures are named (`output_name`; `{job}-{n}` when unset).
    public var outputName: OutputNameTemplate
    /// How long the outbox keeps job folders, logs and warnings (`keep_done`, `keep_failed`, `keep_cancelled`,
    /// `keep_logs`); everything for ever by default.
    public var retention: RetentionSettings
    /// What runs when one of the inbox's jobs ends: `on_done`, `on_failed`, `webhook_url` and their settings.
    public var hooks: HookConfiguration

    public init(
        name: String,
        path: String,
        outbox: String,
        model: String? = nil,
        defaults: [String: JSONValue] = [:],
        sidecar: SidecarPolicy = .required,
        settle: Duration = .seconds(2),
        orphanAfter: Duration = .seconds(600),
        rescanInterval: Duration? = nil,
        networkFilesystem: Bool = false,
        shared: Bool = false,
        weight: Int = 1,
        fairShare: FairShare = .inbox,
        budget: SpendLimits = SpendLimits(),
        overBudget: OverBudgetPolicy = .wait,
        embedMetadata: Bool = true,
        outputName: OutputNameTemplate = .standard,
        retention: RetentionSettings = RetentionSettings(),
        hooks: HookConfiguration = HookConfiguration()
    ) {
        self.name = name
        self.path = path
        self.outbox = outbox
        self.model = model
        self.defaults = defaults
        self.sidecar = sidecar
        self.settle = settle
        self.orphanAfter = orphanAfter
        self.rescanInterval =
            rescanInterval ?? (networkFilesystem ? Self.networkRescanInterval : Self.localRescanInterval)
        self.networkFilesystem = networkFilesystem
        self.shared = shared
        self.weight = max(1, weight)
        self.fairShare = fairShare
        self.budget = budget
        self.overBudget = overBudget
        self.embedMetadata = embedMetadata
        self.outputName = outputName
        self.retention = retention
        self.hooks = hooks
    }

    /// The file whose presence pauses the inbox: while `<inbox>/PAUSE` exists none of its jobs is sent to Segmind
    /// (jobs already there finish). `facedrop pause` and `facedrop resume` make and remove it; any tool may too.
    public var pauseFile: String { "\(path)/PAUSE" }
}
