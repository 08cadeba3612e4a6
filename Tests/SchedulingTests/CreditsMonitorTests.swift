import Clocks
import FacedropTestSupport
import Foundation
import InMemoryLogging
import Logging
import Outbox
import Scheduling
import SegmindCatalog
import StrictJSON
import Synchronization
import Testing

/// A clock for the monitor that tests move by hand.
final class ManualTime: Sendable {
    private let storage: Mutex<Date>

    init(_ start: Date) { storage = Mutex(start) }

    var now: Date { storage.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { storage.withLock { $0 += seconds } }
}

/// Two outboxes in a temporary folder, a monitor writing into both, and readers for what it wrote.
struct CreditsFixture {
    let folder: TemporaryDirectory
    let outboxes: [OutboxFolders]
    let logs = InMemoryLogHandler()
    let time = ManualTime(Date(timeIntervalSince1970: 1_779_372_192))  // 2026-05-21T14:03:12Z
    /// Times the monitor's waits: the balance interval and the credits checks.
    let clock = TestClock()
    let monitor: CreditsMonitor

    init(warnBelow: Double = 5, balanceInterval: Duration = .zero) throws {
        folder = try TemporaryDirectory()
        outboxes = [OutboxFolders(root: folder.appending("a")), OutboxFolders(root: folder.appending("b"))]
        for outbox in outboxes { try outbox.prepare() }
        let logs = logs
        let time = time
        monitor = CreditsMonitor(
            outboxes: outboxes,
            warnBelow: warnBelow,
            logger: Logger(label: "test") { _ in logs },
            balanceInterval: balanceInterval,
            clock: clock
        ) { time.now }
    }

    func warnings(_ kind: String, in outbox: OutboxFolders) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: outbox.warnings).filter { $0.hasSuffix("-\(kind).json") }.sorted()
    }

    func creditsJSON(in outbox: OutboxFolders) throws -> JSONValue {
        try JSONParser().parse(Fixtures.bytesOfFile(outbox.creditsFile))
    }

    /// The events of every line of the outbox's JSONL logs.
    func logEvents(in outbox: OutboxFolders) throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.logs)
        return try files.flatMap { name in
            try String(contentsOfFile: "\(outbox.logs)/\(name)", encoding: .utf8)
                .split(separator: "\n")
                .compactMap { try JSONParser().parse(Array($0.utf8))["event"]?.stringValue }
        }
    }

    func inode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
    }
}

extension Fixtures {
    static func bytesOfFile(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

@Suite("CreditsMonitor: credits.json and credit warnings in every outbox")
struct CreditsMonitorTests {
    @Test("credits.json holds remaining, warn_below, state and updated_at")
    func creditsFile() async throws {
        let fixture = try CreditsFixture()
        await fixture.monitor.record(remaining: 12.5)
        for outbox in fixture.outboxes {
            let json = try fixture.creditsJSON(in: outbox)
            #expect(json["remaining"]?.doubleValue == 12.5)
            #expect(json["warn_below"]?.doubleValue == 5)
            #expect(json["state"]?.stringValue == "ok")
            #expect(json["updated_at"]?.stringValue == "2026-05-21T14:03:12Z")
        }
        let state = await fixture.monitor.state()
        #expect(state == CreditsState(remaining: 12.5, warnBelow: 5, level: .ok, updatedAt: fixture.time.now))
    }

    @Test("after a reload, a new outbox gets credits.json at once and a new warn_below applies")
    func reloadedOutboxes() async throws {
        let fixture = try CreditsFixture()
        await fixture.monitor.record(remaining: 12.5)
        let added = OutboxFolders(root: fixture.folder.appending("c"))
        try added.prepare()
        await fixture.monitor.update(outboxes: [fixture.outboxes[0], added], warnBelow: 20)
        for outbox in [fixture.outboxes[0], added] {
            let json = try fixture.creditsJSON(in: outbox)
            #expect(json["warn_below"]?.doubleValue == 20)
            #expect(json["state"]?.stringValue == "low")
        }
        // The outbox the reload dropped is left as it was.
        #expect(try fixture.creditsJSON(in: fixture.outboxes[1])["warn_below"]?.doubleValue == 5)
    }

    @Test("publish writes the unknown state at start-up; record(nil) changes nothing")
    func unknownAtStart() async throws {
        let fixture = try CreditsFixture()
        await fixture.monitor.record(remaining: nil)
        #expect(!FileManager.default.fileExists(atPath: fixture.outboxes[0].creditsFile))
        await fixture.monitor.publish()
        let json = try fixture.creditsJSON(in: fixture.outboxes[1])
        #expect(json["state"]?.stringValue == "unknown")
        #expect(json["remaining"] == .null)
        #expect(await fixture.monitor.state().level == .unknown)
    }

    @Test("the file is rewritten only when the balance or state changed")
    func writesOnlyChanges() async throws {
        let fixture = try CreditsFixture()
        let path = fixture.outboxes[0].creditsFile
        await fixture.monitor.record(remaining: 10)
        let first = try fixture.inode(path)
        fixture.time.advance(30)
        await fixture.monitor.record(remaining: 10)
        await fixture.monitor.record(remaining: nil)
        #expect(try fixture.inode(path) == first)
        #expect(try fixture.creditsJSON(in: fixture.outboxes[0])["updated_at"]?.stringValue == "2026-05-21T14:03:12Z")
        await fixture.monitor.record(remaining: 9.5)
        #expect(try fixture.inode(path) != first)
        #expect(try fixture.creditsJSON(in: fixture.outboxes[0])["updated_at"]?.stringValue == "2026-05-21T14:03:42Z")
    }

    @Test("a new balance alone is written at most once per interval, the newest one last; a new state at once")
    func balanceChangesAreSpaced() async throws {
        let fixture = try CreditsFixture(warnBelow: 5, balanceInterval: .seconds(1))
        let outbox = fixture.outboxes[0]
        func remaining() throws -> Double? { try fixture.creditsJSON(in: outbox)["remaining"]?.doubleValue }
        func remainingEverywhere() throws -> Set<Double?> { Set(try fixture.outboxes.map { try fixture.creditsJSON(in: $0)["remaining"]?.doubleValue }) }
        await fixture.monitor.record(remaining: 10)
        #expect(try remaining() == 10)
        let first = try fixture.inode(outbox.creditsFile)
        for balance in [9.9, 9.8, 9.7] { await fixture.monitor.record(remaining: balance) }
        #expect(try remaining() == 10, "a balance change within the interval waits")
        #expect(try fixture.inode(outbox.creditsFile) == first)

        await fixture.monitor.record(remaining: 4)
        #expect(try remaining() == 4, "falling below warn_below changes the state: written at once")
        #expect(try fixture.creditsJSON(in: outbox)["state"]?.stringValue == "low")

        await fixture.monitor.record(remaining: 3.5)
        #expect(try remainingEverywhere() == [4])
        #expect(await fixture.clock.waitForSleeper())
        await fixture.clock.advance(by: .milliseconds(999))
        #expect(try remainingEverywhere() == [4], "written before the interval was over")
        let written = try await fixture.clock.advance(by: .milliseconds(1)) { try remainingEverywhere() == [3.5] }
        #expect(written, "the waiting balance is written into every outbox once the interval is over")

        await fixture.monitor.record(remaining: 3.4)
        await fixture.monitor.flush()
        #expect(try remaining() == 3.4, "flush writes a waiting balance at once")
    }

    @Test("crossing below warn_below writes one warning and one log line, however many records follow")
    func oneLowWarning() async throws {
        let fixture = try CreditsFixture()
        await fixture.monitor.record(remaining: 6)
        for step in 0..<10 {
            fixture.time.advance(1)
            await fixture.monitor.record(remaining: 4.9 - Double(step) * 0.1)
        }
        for outbox in fixture.outboxes {
            #expect(try fixture.warnings("credits-low", in: outbox) == ["20260521T140313Z-credits-low.json"])
            #expect(try fixture.logEvents(in: outbox).filter { $0 == "credits_low" }.count == 1)
            let warning = try JSONParser().parse(Fixtures.bytesOfFile("\(outbox.warnings)/20260521T140313Z-credits-low.json"))
            #expect(warning["kind"]?.stringValue == "credits-low")
            #expect(warning["remaining"]?.doubleValue == 4.9)
            #expect(warning["warn_below"]?.doubleValue == 5)
            #expect(try fixture.creditsJSON(in: outbox)["state"]?.stringValue == "low")
        }
        #expect(fixture.logs.entries.filter { $0.level == .warning }.count == 1)
        #expect(await fixture.monitor.state().level == .low)
    }

    @Test("a first balance already below the threshold warns: unknown counts as above")
    func lowFromUnknown() async throws {
        let fixture = try CreditsFixture()
        await fixture.monitor.record(remaining: 1)
        #expect(try fixture.warnings("credits-low", in: fixture.outboxes[0]).count == 1)
    }

    @Test("the warning re-arms once the balance is back at or above warn_below")
    func reArm() async throws {
        let fixture = try CreditsFixture()
        await fixture.monitor.record(remaining: 4)
        fixture.time.advance(60)
        await fixture.monitor.record(remaining: 3)
        await fixture.monitor.record(remaining: 20)
        #expect(await fixture.monitor.state().level == .ok)
        fixture.time.advance(60)
        await fixture.monitor.record(remaining: 2)
        await fixture.monitor.record(remaining: 1)
        for outbox in fixture.outboxes {
            #expect(try fixture.warnings("credits-low", in: outbox) == ["20260521T140312Z-credits-low.json", "20260521T140512Z-credits-low.json"])
            #expect(try fixture.logEvents(in: outbox).filter { $0 == "credits_low" }.count == 2)
        }
    }

    @Test("exhaustion writes one warning per episode and holds until credits are clearly back")
    func exhaustion() async throws {
        let fixture = try CreditsFixture()
        await fixture.monitor.record(remaining: 8)
        await fixture.monitor.exhausted(message: "Insufficient credits. Please top up.")
        await fixture.monitor.exhausted(message: "Insufficient credits. Please top up.")
        #expect(await fixture.monitor.isExhausted)
        for outbox in fixture.outboxes {
            let files = try fixture.warnings("credits-exhausted", in: outbox)
            #expect(files == ["20260521T140312Z-credits-exhausted.json"])
            let warning = try JSONParser().parse(Fixtures.bytesOfFile("\(outbox.warnings)/\(files[0])"))
            #expect(warning["message"]?.stringValue == "Insufficient credits. Please top up.")
            #expect(try fixture.creditsJSON(in: outbox)["state"]?.stringValue == "exhausted")
            #expect(try fixture.logEvents(in: outbox).filter { $0 == "credits_exhausted" }.count == 1)
            #expect(try fixture.warnings("credits-low", in: outbox).isEmpty)
        }
        // A poll's small balance is noted but does not resume submissions.
        await fixture.monitor.record(remaining: 0.01)
        #expect(await fixture.monitor.isExhausted)
        #expect(await fixture.monitor.state().remaining == 0.01)
        // A balance at or above the threshold is a top-up beyond doubt.
        await fixture.monitor.record(remaining: 25)
        #expect(await fixture.monitor.state().level == .ok)
        fixture.time.advance(5)
        await fixture.monitor.exhausted(message: "Insufficient credits.")
        #expect(try fixture.warnings("credits-exhausted", in: fixture.outboxes[0]).count == 2)
    }

    @Test("waitUntilCreditsReturn asks every interval and returns once credits are back")
    func waitForCredits() async throws {
        let fixture = try CreditsFixture(warnBelow: 10)
        await fixture.monitor.exhausted(message: "Insufficient credits")
        let answers = Mutex<[Double?]>([0, nil, 0, 7])
        let asked = Counter()
        let waiting = Task {
            await fixture.monitor.waitUntilCreditsReturn(
                check: {
                    asked.increment()
                    return answers.withLock { $0.isEmpty ? 7 : $0.removeFirst() }
                },
                interval: .seconds(60)
            )
        }
        for count in 1...4 {
            #expect(await fixture.clock.waitForSleeper())
            await fixture.clock.advance(by: .seconds(59))
            #expect(asked.value == count - 1, "asked before the interval was over")
            #expect(await fixture.clock.advance(by: .seconds(1)) { asked.value == count })
        }
        await waiting.value
        #expect(asked.value == 4)
        let state = await fixture.monitor.state()
        #expect(state.level == .low)
        #expect(state.remaining == 7)
        #expect(!(await fixture.monitor.isExhausted))
        #expect(try fixture.creditsJSON(in: fixture.outboxes[0])["state"]?.stringValue == "low")
        #expect(try fixture.logEvents(in: fixture.outboxes[0]).contains("credits_returned"))
    }

    @Test("many waiters share one check at a time; a failing check is tried again")
    func sharedWait() async throws {
        let fixture = try CreditsFixture()
        await fixture.monitor.exhausted(message: "Insufficient credits")
        let inFlight = Mutex((now: 0, most: 0, calls: 0))
        let clock = fixture.clock
        let check: @Sendable () async throws -> Double? = {
            let call = inFlight.withLock { state in
                state.now += 1
                state.most = max(state.most, state.now)
                state.calls += 1
                return state.calls
            }
            // A slow answer: the other waiters' intervals run out while it is awaited.
            try? await clock.sleep(for: .seconds(25))
            inFlight.withLock { $0.now -= 1 }
            if call == 1 { throw URLError(.timedOut) }
            return call < 4 ? 0 : 50
        }
        let finished = Counter()
        let waiters = (0..<5).map { _ in
            Task {
                await fixture.monitor.waitUntilCreditsReturn(check: check, interval: .seconds(10))
                finished.increment()
            }
        }
        // A minute of wall time at most: each advance yields dozens of times, and when the quick tier's other
        // tests hold the cooperative pool's threads every yield waits for them.
        let done = await eventually(timeout: .seconds(60), every: .milliseconds(1)) {
            await clock.advance(by: .seconds(5))
            return finished.value == 5
        }
        #expect(done)
        for waiter in waiters { waiter.cancel() }
        #expect(inFlight.withLock { $0.most } == 1)
        #expect(inFlight.withLock { $0.calls } == 4)
        #expect(await fixture.monitor.state().level == .ok)
    }

    @Test("waitUntilCreditsReturn returns at once when not exhausted, and when cancelled")
    func waitReturns() async throws {
        let fixture = try CreditsFixture()
        let asked = Counter()
        await fixture.monitor.waitUntilCreditsReturn(
            check: {
                asked.increment()
                return 1
            },
            interval: .milliseconds(10)
        )
        #expect(asked.value == 0)
        await fixture.monitor.exhausted(message: "Insufficient credits")
        let waiter = Task {
            await fixture.monitor.waitUntilCreditsReturn(
                check: {
                    asked.increment()
                    return 0
                },
                interval: .seconds(10)
            )
        }
        for count in 1...2 {
            #expect(await fixture.clock.waitForSleeper())
            #expect(await fixture.clock.advance(by: .seconds(10)) { asked.value == count })
        }
        #expect(await fixture.clock.waitForSleeper())
        waiter.cancel()
        await waiter.value
        #expect(asked.value == 2)
        #expect(await fixture.monitor.isExhausted)
    }
}
