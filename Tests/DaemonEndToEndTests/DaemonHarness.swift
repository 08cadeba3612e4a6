import FacedropTestSupport
import Foundation
import SegmindCatalog
import StrictJSON

/// The real `facedrop` binary run as a subprocess on folders of its own: an inbox, an outbox, a state
/// folder, the TOML file and the daemon's log.
///
/// The tests see the daemon only as a user would: files dropped into the inbox, folders appearing in the
/// outbox, signals, exit codes, `facedrop status` and the log. Every start appends to one log file, which
/// ``DaemonEndToEndTests`` prints when a test fails. A harness still holding a live daemon when it is
/// released kills it, so no test leaves a process behind.
final class DaemonHarness {
    enum HarnessError: Error, CustomStringConvertible {
        case binaryMissing(String)
        case timedOut(String, state: String)
        case exited(String, status: Int32)
        case unreadableOutput(String)

        var description: String {
            switch self {
            case .binaryMissing(let path):
                "the facedrop binary is not at \(path): build it (swift build) or set FACEDROP_BINARY"
            case .timedOut(let what, let state):
                "timed out waiting for \(what)\n\(state)"
            case .exited(let what, let status):
                "the daemon exited (status \(status)) while waiting for \(what)"
            case .unreadableOutput(let text):
                "facedrop printed something that is not JSON: \(text)"
            }
        }
    }

    /// How a process ended.
    struct Termination: Sendable, CustomStringConvertible {
        /// The exit status, or the signal number when ``signalled``.
        var status: Int32
        var signalled: Bool
        /// From the signal (or the launch) to the exit.
        var elapsed: Duration

        var description: String {
            signalled ? "killed by signal \(status) after \(elapsed)" : "exit \(status) after \(elapsed)"
        }
    }

    let folder: TemporaryDirectory
    var settings: DaemonSettings
    let configPath: String
    let logPath: String
    /// The key the daemon is given (in `SEGMIND_API_KEY`, or as a credential file with
    /// ``keyInCredentialsDirectory``): the suite's canary, which must never appear in anything the daemon
    /// writes (``expectNoCanary()``).
    var apiKey = DaemonHarness.canaryKey
    /// Hands the key over as systemd does, in `$CREDENTIALS_DIRECTORY/segmind-api-key` (``credentialFile``),
    /// instead of the environment: the file a symlink in the inbox would try to exfiltrate.
    var keyInCredentialsDirectory = false
    var logLevel = "info"
    /// Extra environment for the daemon (`NOTIFY_SOCKET`, `WATCHDOG_USEC`, `JOURNAL_STREAM`, …).
    var environment: [String: String] = [:]
    private(set) var process: Process?
    /// How many times the daemon was started.
    private(set) var starts = 0

    /// The first inbox, its outbox and the state folder.
    var inbox: String { settings.inboxes[0].path }
    var outbox: String { settings.inboxes[0].outbox }
    var state: String { settings.stateDirectory }

    /// Creates the folders and the configuration; the daemon is not started.
    init(baseURL: URL, configure: (inout DaemonSettings) -> Void = { _ in }) throws {
        let folder = try TemporaryDirectory(prefix: "facedrop-e2e")
        self.folder = folder
        settings = DaemonSettings(
            baseURL: baseURL.absoluteString,
            stateDirectory: folder.appending("state"),
            inboxes: [InboxSettings(name: "main", path: folder.appending("inbox"), outbox: folder.appending("outbox"))]
        )
        configure(&settings)
        configPath = folder.appending("facedrop.toml")
        logPath = folder.appending("daemon.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        try writeConfiguration()
        for inbox in settings.inboxes {
            try FileManager.default.createDirectory(atPath: inbox.path, withIntermediateDirectories: true)
        }
    }

    deinit {
        if let process, process.isRunning {
            ProcessSignal.kill.send(to: process.processIdentifier)
            process.waitUntilExit()
        }
    }

    /// Writes ``settings`` to the configuration file (atomically, so a reload never reads half of it).
    func writeConfiguration() throws {
        try Self.writeAtomically(Array(settings.toml.utf8), to: configPath)
    }

    // MARK: The daemon's life

    /// Starts `facedrop run` and waits until it says it is running.
    func start() async throws {
        starts += 1
        appendToLog("==== facedrop run, start #\(starts) ====")
        let process = try launch(["run", "--config", configPath, "--log-level", logLevel], output: logPath)
        self.process = process
        let expected = starts
        try await waitFor("the daemon to report it is running (start #\(expected))") {
            if !process.isRunning {
                throw HarnessError.exited("start #\(expected)", status: process.terminationStatus)
            }
            return occurrences(of: "facedrop is running") >= expected
        }
    }

    /// Starts `facedrop run` without waiting for it to say it is running: for a daemon that may kill itself
    /// before it does (a crash point met while recovering).
    func launchDaemon() throws {
        starts += 1
        appendToLog("==== facedrop run, start #\(starts) ====")
        process = try launch(["run", "--config", configPath, "--log-level", logLevel], output: logPath)
    }

    /// Waits up to `timeout` for the daemon to end by itself; how it ended, or nil while it still runs.
    func waitForExit(within timeout: Duration) async -> Termination? {
        guard let process else { return nil }
        let begin = ContinuousClock.now
        guard await Self.waitForExit(process, within: timeout) else { return nil }
        self.process = nil
        return Self.termination(of: process, since: begin)
    }

    /// The daemon's process ID, while it runs.
    var processID: Int32? { process?.isRunning == true ? process?.processIdentifier : nil }

    /// Whether the daemon process is alive.
    var isRunning: Bool { process?.isRunning ?? false }

    /// SIGTERM, then SIGKILL if it has not exited after `grace`; returns how it ended.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) async -> Termination? {
        guard let process else { return nil }
        self.process = nil
        let begin = ContinuousClock.now
        if process.isRunning {
            ProcessSignal.terminate.send(to: process.processIdentifier)
            if await !Self.waitForExit(process, within: grace) {
                appendToLog("==== still running \(grace) after SIGTERM: SIGKILL ====")
                ProcessSignal.kill.send(to: process.processIdentifier)
                _ = await Self.waitForExit(process, within: .seconds(10))
            }
        }
        return Self.termination(of: process, since: begin)
    }

    /// `kill -9`: the daemon gets no chance to save anything.
    func killHard() async {
        guard let process else { return }
        self.process = nil
        appendToLog("==== SIGKILL ====")
        ProcessSignal.kill.send(to: process.processIdentifier)
        _ = await Self.waitForExit(process, within: .seconds(10))
    }

    /// SIGSTOP: the daemon hangs, as a host paused or cut off, until ``resume()``.
    func suspend() {
        guard let process else { return }
        appendToLog("==== SIGSTOP ====")
        ProcessSignal.stop.send(to: process.processIdentifier)
    }

    /// SIGCONT after ``suspend()``.
    func resume() {
        guard let process else { return }
        appendToLog("==== SIGCONT ====")
        ProcessSignal.continue.send(to: process.processIdentifier)
    }

    /// Sends SIGHUP (reload the configuration).
    func hangUp() {
        guard let process else { return }
        ProcessSignal.hangUp.send(to: process.processIdentifier)
    }

    /// Runs `facedrop <arguments>` to its end (killing it after `timeout`) and returns how it ended and
    /// what it printed on stdout and stderr.
    func runCommand(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> (Termination, String) {
        let output = folder.appending("command-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let begin = ContinuousClock.now
        let process = try launch(arguments, output: output)
        if await !Self.waitForExit(process, within: timeout) {
            ProcessSignal.kill.send(to: process.processIdentifier)
            _ = await Self.waitForExit(process, within: .seconds(10))
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let ended = Self.termination(of: process, since: begin) ?? Termination(status: -1, signalled: true, elapsed: ContinuousClock.now - begin)
        return (ended, text)
    }

    /// `facedrop status --json`.
    func status() async throws -> JSONValue {
        let (_, text) = try await runCommand(["status", "--config", configPath, "--json"])
        do {
            return try JSONParser().parse(text)
        } catch {
            throw HarnessError.unreadableOutput(text)
        }
    }

    // MARK: Waiting

    /// Checks `condition` every `interval` until it holds; throws after `timeout` with a picture of the
    /// folders, so a failure says what the daemon had done by then.
    func waitFor(
        _ what: String,
        timeout: Duration = .seconds(30),
        every interval: Duration = .milliseconds(50),
        _ condition: () async throws -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if try await condition() { return }
            guard clock.now < deadline else {
                throw HarnessError.timedOut(what, state: describeFolders())
            }
            try await clock.sleep(for: interval)
        }
    }

    // MARK: The log

    /// Everything the daemon (every start of it) wrote to stdout and stderr.
    var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// How many times `text` occurs in the log.
    func occurrences(of text: String) -> Int {
        log.components(separatedBy: text).count - 1
    }

    /// The last `count` lines of the log.
    func logTail(_ count: Int = 120) -> String {
        log.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }

    func appendToLog(_ line: String) {
        guard let handle = FileHandle(forWritingAtPath: logPath) else { return }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try? handle.close()
    }

    // MARK: Implementation

    /// The built `facedrop` next to the test bundle (`.build/<triple>/debug/facedrop`), or `$FACEDROP_BINARY`.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["FACEDROP_BINARY"], !path.isEmpty { return path }
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("facedrop").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("facedrop").path
    }()

    /// The folder `$CREDENTIALS_DIRECTORY` names when ``keyInCredentialsDirectory`` is set: outside every
    /// inbox, outbox and the state folder.
    var credentialsDirectory: String { folder.appending("credentials") }
    var credentialFile: String { "\(credentialsDirectory)/segmind-api-key" }

    private func launch(_ arguments: [String], output: String) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw HarnessError.binaryMissing(Self.binary) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if keyInCredentialsDirectory {
            try FileManager.default.createDirectory(atPath: credentialsDirectory, withIntermediateDirectories: true)
            try Data(apiKey.utf8).write(to: URL(fileURLWithPath: credentialFile))
            environment["SEGMIND_API_KEY"] = nil
            environment["CREDENTIALS_DIRECTORY"] = credentialsDirectory
        } else {
            environment["SEGMIND_API_KEY"] = apiKey
            environment["CREDENTIALS_DIRECTORY"] = nil
        }
        environment["STATE_DIRECTORY"] = nil
        environment.merge(self.environment) { _, extra in extra }
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? handle.close()
        return process
    }

    private static func waitForExit(_ process: Process, within timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            guard clock.now < deadline else { return false }
            try? await clock.sleep(for: .milliseconds(20))
        }
        return true
    }

    private static func termination(of process: Process, since begin: ContinuousClock.Instant) -> Termination? {
        guard !process.isRunning else { return nil }
        return Termination(
            status: process.terminationStatus,
            signalled: process.terminationReason == .uncaughtSignal,
            elapsed: ContinuousClock.now - begin
        )
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        // A short temporary name, so that a final name of NAME_MAX bytes can be written too.
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".drop-\(UUID().uuidString).tmp")
        try Data(bytes).write(to: temporary)
        try POSIXFiles.rename(temporary.path, to: path)
    }
}

extension DaemonHarness {
    /// The jobs a `facedrop status --json` report lists as in flight, by name, with their journal state.
    static func inFlight(in report: JSONValue) -> [String: String] {
        var states: [String: String] = [:]
        for job in report["in_flight"]?.arrayValue ?? [] {
            if let name = job["job"]?.stringValue { states[name] = job["state"]?.stringValue ?? "" }
        }
        return states
    }

    /// The job counts by journal state in a `facedrop status --json` report.
    static func jobCounts(in report: JSONValue) -> [String: Int] {
        (report["jobs"]?.objectValue ?? [:]).compactMapValues(\.intValue)
    }

    /// The job counts by journal state from `facedrop status --json`.
    func jobCounts() async throws -> [String: Int] {
        Self.jobCounts(in: try await status())
    }
}

extension DaemonHarness {
    /// The CPU time (user + system) the daemon has used so far, from `/proc/<pid>/stat`.
    func cpuTime() -> Duration? {
        guard let process, process.isRunning,
            let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state is field 3, utime field 14, stime field 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return .milliseconds((user + system) * 1000 / ProcessClock.ticksPerSecond)
    }

    /// The daemon's resident file pages (`RssFile`, KiB): mostly its own code.
    func residentFileKiB() -> Int? {
        guard let pid = processID, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("RssFile:") }
        return line.flatMap { Int($0.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") }
    }

    /// Each of the daemon's threads, by thread ID, with its name and the times it has gone to sleep of its own
    /// accord so far (`voluntary_ctxt_switches`): a thread that sleeps without waking counts nothing more.
    func voluntarySwitches() -> [Int: (name: String, switches: Int)] {
        guard let pid = processID, let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else {
            return [:]
        }
        var switches: [Int: (name: String, switches: Int)] = [:]
        for thread in threads {
            guard let id = Int(thread), let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8)
            else { continue }
            var name = ""
            for line in status.split(separator: "\n") {
                if line.hasPrefix("Name:") { name = String(line.dropFirst(5).drop { $0 == " " || $0 == "\t" }) }
                if line.hasPrefix("voluntary_ctxt_switches:"), let count = Int(line.split(separator: "\t").last ?? "") {
                    switches[id] = (name, count)
                }
            }
        }
        return switches
    }
}
