import Foundation
import SegmindCatalog
import StrictJSON

/// Turns a parsed TOML document into a ``DaemonConfiguration``, gathering every problem on the way.
struct ConfigurationReader {
    let catalog: ModelCatalog
    let environment: [String: String]
    private(set) var problems: [String] = []
    private(set) var warnings: [String] = []

    init(catalog: ModelCatalog, environment: [String: String]) {
        self.catalog = catalog
        self.environment = environment
    }

    mutating func read(_ document: [String: TOMLNode]) -> DaemonConfiguration {
        problems += SecretKeys.locations(in: document).map(SecretKeys.problem(at:))
        let root = TableReader(label: "the file:", table: document, knownKeys: ["api", "credits", "state", "emulator", "metrics", "hosts", "memory", "inbox"])
        root.reportUnknownKeys(into: &problems)

        let api = readAPI(root.table("api", into: &problems) ?? [:])
        let credits = readCredits(root.table("credits", into: &problems) ?? [:])
        let state = readState(root.table("state", into: &problems) ?? [:])
        let emulator = readEmulator(root.table("emulator", into: &problems) ?? [:])
        let metrics = Self.readMetrics(root.table("metrics", into: &problems) ?? [:], into: &problems)
        let hosts = Self.readHosts(root.table("hosts", into: &problems) ?? [:], into: &problems)
        let memory = Self.readMemory(root.table("memory", into: &problems) ?? [:], into: &problems)
        let inboxes = readInboxes(document["inbox"])
        checkFolders(inboxes, state: state)
        problems += Self.retentionProblems(inboxes)
        warnings += Self.budgetWarnings(inboxes, service: credits.budget)
        return DaemonConfiguration(
            api: api,
            credits: credits,
            state: state,
            emulator: emulator,
            metrics: metrics,
            hosts: hosts,
            memory: memory,
            inboxes: inboxes,
            warnings: warnings
        )
    }

    // MARK: Tables

    private mutating func readAPI(_ table: [String: TOMLNode]) -> APIConfiguration {
        let reader = TableReader(
            label: "[api]",
            table: table,
            knownKeys: [
                "base_url", "key_file", "requests_per_minute", "request_burst", "max_in_flight",
                "connect_timeout", "request_timeout", "download_timeout", "job_deadline", "run_time_scale",
            ]
        )
        reader.reportUnknownKeys(into: &problems)
        var api = APIConfiguration()
        if let text = reader.string("base_url", into: &problems) {
            if let endpoint = Self.endpoint(text) {
                api.baseURL = endpoint
            } else {
                reader.problem(
                    "base_url",
                    "must be \"emulator\" or an http(s) origin such as "
                        + "\"https://api.segmind.com\", without credentials, query or fragment",
                    into: &problems
                )
            }
        }
        api.keyFile = reader.absolutePath("key_file", into: &problems)
        api.requestsPerMinute =
            reader.integer("requests_per_minute", in: 1...10_000, into: &problems)
            ?? api.requestsPerMinute
        api.requestBurst = reader.integer("request_burst", in: 1...api.requestsPerMinute, into: &problems)
        api.maxInFlight = reader.integer("max_in_flight", in: 1...256, into: &problems) ?? api.maxInFlight
        api.connectTimeout = reader.duration("connect_timeout", into: &problems) ?? api.connectTimeout
        api.requestTimeout = reader.duration("request_timeout", into: &problems) ?? api.requestTimeout
        api.downloadTimeout = reader.duration("download_timeout", into: &problems) ?? api.downloadTimeout
        api.jobDeadline = reader.duration("job_deadline", atLeast: 1, into: &problems) ?? api.jobDeadline
        if let scale = reader.number("run_time_scale", atLeast: 0.001, into: &problems) {
            if scale > 1 {
                reader.problem("run_time_scale", "must be at most 1, got \(scale)", into: &problems)
            } else {
                api.runTimeScale = scale
            }
        }
        return api
    }

    /// `emulator`, or an http(s) URL with a host and nothing that could carry a secret.
    static func endpoint(_ text: String) -> APIEndpoint? {
        if text == "emulator" { return .emulator }
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil,
            components.query == nil, components.fragment == nil
        else { return nil }
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        return .url(url)
    }

    private mutating func readEmulator(_ table: [String: TOMLNode]) -> EmulatorSettings {
        let reader = TableReader(label: "[emulator]", table: table, knownKeys: ["time_scale", "credits", "queue_seconds", "run_times"])
        reader.reportUnknownKeys(into: &problems)
        var emulator = EmulatorSettings()
        emulator.timeScale = reader.number("time_scale", atLeast: 0.001, into: &problems) ?? emulator.timeScale
        emulator.credits = reader.number("credits", atLeast: 0, into: &problems) ?? emulator.credits
        emulator.queueSeconds = reader.number("queue_seconds", atLeast: 0, into: &problems) ?? emulator.queueSeconds
        if let runTimes = reader.table("run_times", into: &problems) {
            // Every key is a model slug: none is "unknown" here, each value is a number of seconds.
            let models = TableReader(label: "[emulator] run_times", table: runTimes, knownKeys: Array(runTimes.keys))
            for slug in runTimes.keys.sorted() {
                if let seconds = models.number(slug, atLeast: 0, into: &problems) { emulator.runSeconds[slug] = seconds }
            }
        }
        return emulator
    }

    private mutating func readCredits(_ table: [String: TOMLNode]) -> CreditsConfiguration {
        let reader = TableReader(label: "[credits]", table: table, knownKeys: ["warn_below", "recheck_interval"] + Self.serviceBudgetKeys)
        reader.reportUnknownKeys(into: &problems)
        var credits = CreditsConfiguration()
        credits.warnBelow = reader.number("warn_below", atLeast: 0, into: &problems) ?? credits.warnBelow
        credits.recheckInterval = reader.duration("recheck_interval", atLeast: 0.1, into: &problems) ?? credits.recheckInterval
        (credits.budget, credits.unknownCost) = Self.readServiceBudget(reader, unknownCost: credits.unknownCost, into: &problems)
        return credits
    }

    private mutating func readState(_ table: [String: TOMLNode]) -> StateConfiguration {
        let reader = TableReader(label: "[state]", table: table, knownKeys: ["dir", "keep_journal_days"])
        reader.reportUnknownKeys(into: &problems)
        var state = StateConfiguration()
        state.keepJournalDays = reader.integer("keep_journal_days", in: Self.retentionDays, into: &problems) ?? state.keepJournalDays
        if let directory = reader.absolutePath("dir", into: &problems) {
            state.directory = directory
            return state
        }
        // systemd may list several directories separated by ':'; facedrop's is the first.
        if let variable = environment["STATE_DIRECTORY"], !variable.isEmpty {
            let first = String(variable.split(separator: ":", omittingEmptySubsequences: false)[0])
            if let directory = PathRules.normalized(first) {
                state.directory = directory
                return state
            }
            problems.append("$STATE_DIRECTORY must be an absolute path, got \"\(first)\"")
        }
        return state
    }

    private mutating func readInboxes(_ node: TOMLNode?) -> [InboxConfiguration] {
        guard let node else {
            problems.append("no [[inbox]] table: the daemon would watch nothing")
            return []
        }
        guard case .array(let elements) = node else {
            problems.append("inbox must be written as [[inbox]] tables (an array of tables), got \(node.kindDescription)")
            return []
        }
        var inboxes: [InboxConfiguration] = []
        for (index, element) in elements.enumerated() {
            guard case .table(let table) = element else {
                problems.append("[[inbox]] #\(index + 1) must be a table, got \(element.kindDescription)")
                continue
            }
            if let inbox = readInbox(table, number: index + 1) { inboxes.append(inbox) }
        }
        if elements.isEmpty { problems.append("no [[inbox]] table: the daemon would watch nothing") }
        return inboxes
    }

    private mutating func readInbox(_ table: [String: TOMLNode], number: Int) -> InboxConfiguration? {
        var label = "[[inbox]] #\(number)"
        if case .string(let name) = table["name"] { label += " \"\(name)\"" }
        let reader = TableReader(
            label: label,
            table: table,
            knownKeys: [
                "name", "path", "outbox", "model", "defaults", "sidecar", "settle", "orphan_after",
                "rescan_interval", "network_filesystem", "weight", "fair_share", "embed_metadata", "output_name",
                "shared",
            ] + Self.inboxBudgetKeys + Self.inboxRetentionKeys + Self.hookKeys
        )
        reader.reportUnknownKeys(into: &problems)
        for key in ["name", "path", "outbox"] where table[key] == nil {
            reader.problem(key, "is required", into: &problems)
        }
        let name = reader.string("name", into: &problems)
        if let name, name.isEmpty || name.contains("/") || name.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            reader.problem("name", "must be non-empty, without '/' or control characters", into: &problems)
        }
        let path = reader.absolutePath("path", into: &problems)
        let outbox = reader.absolutePath("outbox", into: &problems)
        var model = reader.string("model", into: &problems)
        if let slug = model, catalog.model(slug) == nil {
            reader.problem(
                "model",
                "unknown model \"\(slug)\"; known models: \(catalog.slugs.joined(separator: ", "))",
                into: &problems
            )
            model = nil
        }
        var sidecar = SidecarPolicy.required
        if let text = reader.string("sidecar", into: &problems) {
            if let policy = SidecarPolicy(rawValue: text) {
                sidecar = policy
            } else {
                reader.problem("sidecar", "must be \"required\" or \"optional\", got \"\(text)\"", into: &problems)
            }
        }
        let settle = reader.duration("settle", atLeast: 0.1, into: &problems)
        let orphanAfter = reader.duration("orphan_after", into: &problems)
        let rescanInterval = reader.duration("rescan_interval", into: &problems)
        let networkFilesystem = reader.bool("network_filesystem", into: &problems) ?? false
        let shared = reader.bool("shared", into: &problems) ?? false
        let embedMetadata = reader.bool("embed_metadata", into: &problems) ?? true
        var outputName = OutputNameTemplate.standard
        if let text = reader.string("output_name", into: &problems) {
            do {
                outputName = try OutputNameTemplate(text)
            } catch {
                reader.problem("output_name", "\"\(text)\" \(error)", into: &problems)
            }
        }
        let weight = reader.integer("weight", in: 1...1000, into: &problems) ?? 1
        var fairShare = FairShare.inbox
        if let text = reader.string("fair_share", into: &problems) {
            if let share = FairShare(rawValue: text) {
                fairShare = share
            } else {
                reader.problem("fair_share", "must be \"inbox\" or \"subfolder\", got \"\(text)\"", into: &problems)
            }
        }
        var defaults: [String: JSONValue] = [:]
        if let table = reader.table("defaults", into: &problems) {
            defaults = readDefaults(table, reader: reader, model: model, sidecar: sidecar)
        }
        let (budget, overBudget) = Self.readInboxBudget(reader, into: &problems)
        let retention = Self.readRetention(reader, into: &problems)
        let hooks = Self.readHooks(reader, into: &problems)
        guard let name, let path, let outbox else { return nil }
        return InboxConfiguration(
            name: name,
            path: path,
            outbox: outbox,
            model: model,
            defaults: defaults,
            sidecar: sidecar,
            settle: settle ?? .seconds(2),
            orphanAfter: orphanAfter ?? .seconds(600),
            rescanInterval: rescanInterval,
            networkFilesystem: networkFilesystem,
            shared: shared,
            weight: weight,
            fairShare: fairShare,
            budget: budget,
            overBudget: overBudget,
            embedMetadata: embedMetadata,
            outputName: outputName,
            retention: retention,
            hooks: hooks
        )
    }

    // MARK: Defaults

    /// Converts an inbox's `defaults` to JSON and checks them as a sidecar, as far as that is
    /// possible without a dropped file: a missing required parameter (the prompt, say) is no problem,
    /// since each sidecar may add it.
    private mutating func readDefaults(
        _ table: [String: TOMLNode],
        reader: TableReader,
        model: String?,
        sidecar: SidecarPolicy
    ) -> [String: JSONValue] {
        var defaults: [String: JSONValue] = [:]
        for (key, node) in table.sorted(by: { $0.key < $1.key }) where !SecretKeys.isSecret(key) {
            if let value = json(node, at: "defaults.\(key)", reader: reader) { defaults[key] = value }
        }
        let result = SidecarValidator(catalog: catalog).validateSidecar(defaults, defaultModel: model)
        let (issues, otherWarnings): ([ValidationIssue], [ValidationIssue]) =
            switch result {
            case .success(let validated): ([], validated.warnings)
            case .failure(let rejection): (rejection.issues, rejection.warnings)
            }
        let waitForSidecar: Set<IssueCode> = [.missingRequired, .missingModel, .poseMissing]
        for issue in issues {
            if !waitForSidecar.contains(issue.code) {
                reader.problem("defaults", issue.description, into: &problems)
            } else if sidecar == .optional {
                warnings.append("\(reader.label) defaults: a face dropped without a sidecar will fail: \(issue)")
            }
        }
        for warning in otherWarnings where warning.code != .poseIgnored {
            warnings.append("\(reader.label) defaults: \(warning)")
        }
        return defaults
    }

    /// A TOML value as JSON. Dates have no JSON form and non-finite floats no JSON number.
    private mutating func json(_ node: TOMLNode, at key: String, reader: TableReader) -> JSONValue? {
        switch node {
        case .string(let text): return .string(text)
        case .integer(let value): return .integer(Int64(value))
        case .bool(let value): return .bool(value)
        case .float(let value):
            guard value.isFinite else {
                reader.problem(key, "must be a finite number, got \(value)", into: &problems)
                return nil
            }
            return .number(value)
        case .dateTime:
            reader.problem(key, "a TOML date or time has no JSON form; write it as a string", into: &problems)
            return nil
        case .array(let elements):
            var values: [JSONValue] = []
            for (index, element) in elements.enumerated() {
                guard let value = json(element, at: "\(key)[\(index + 1)]", reader: reader) else { return nil }
                values.append(value)
            }
            return .array(values)
        case .table(let table):
            var object: [String: JSONValue] = [:]
            for (name, element) in table.sorted(by: { $0.key < $1.key }) {
                guard let value = json(element, at: "\(key).\(name)", reader: reader) else { return nil }
                object[name] = value
            }
            return .object(object)
        }
    }

    // MARK: Folders

    /// Inboxes must not overlap each other or the outboxes: a result written into a watched folder
    /// would be taken as a new drop, and two inboxes watching one file would both claim it.
    private mutating func checkFolders(_ inboxes: [InboxConfiguration], state: StateConfiguration) {
        func label(_ inbox: InboxConfiguration) -> String { "[[inbox]] \"\(inbox.name)\"" }
        var seenNames: Set<String> = []
        for inbox in inboxes where !seenNames.insert(inbox.name).inserted {
            problems.append("\(label(inbox)): the name is used by more than one inbox")
        }
        for (index, inbox) in inboxes.enumerated() {
            for other in inboxes[..<index] where other.path == inbox.path {
                problems.append("\(label(inbox)) path: \(inbox.path) is also the path of \(label(other))")
            }
            for other in inboxes where other.path != inbox.path && PathRules.isSameOrInside(inbox.path, other.path) {
                problems.append("\(label(inbox)) path: \(inbox.path) lies inside the inbox \(label(other))")
            }
            for other in inboxes where PathRules.isSameOrInside(inbox.path, other.outbox) {
                let owner = other == inbox ? "its own outbox" : "the outbox of \(label(other))"
                let relation = inbox.path == other.outbox ? "is" : "lies inside"
                problems.append("\(label(inbox)) path: \(inbox.path) \(relation) \(owner)")
            }
            for other in inboxes where other.outbox != inbox.path && PathRules.isSameOrInside(other.outbox, inbox.path) {
                problems.append(
                    "\(label(other)) outbox: \(other.outbox) lies inside the inbox \(label(inbox)); "
                        + "results would be taken as new drops"
                )
            }
            if PathRules.isSameOrInside(state.directory, inbox.path) {
                problems.append("[state] dir: \(state.directory) lies inside the inbox \(label(inbox))")
            }
        }
    }
}
