import Clocks
import DedicatedThreads
import FacedropTestSupport
import Foundation
import Testing

@testable import Scheduling

/// The request window kept in the state folder: what one life spent counts against the next.
@Suite("RequestWindowFile: the budget's recent admissions survive a restart")
struct RequestWindowFileTests {
    static let window = Duration.seconds(61)

    func path() throws -> (TemporaryDirectory, String) {
        let folder = try TemporaryDirectory(prefix: "facedrop-window")
        return (folder, folder.appending("request-window"))
    }

    @Test("admissions recorded by one life are read back by the next, the oldest first, those older than the window left out")
    func roundTrip() throws {
        let (folder, path) = try path()
        defer { withExtendedLifetime(folder) {} }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let file = try RequestWindowFile(path: path, limit: 5, window: Self.window, now: now)
            #expect(file.earlier.isEmpty)
            for age in [90.0, 50, 20, 10, 1] { file.record(now.addingTimeInterval(-age)) }
        }
        let again = try RequestWindowFile(path: path, limit: 5, window: Self.window, now: now)
        #expect(again.earlier.map { now.timeIntervalSince($0) } == [50, 20, 10, 1])
    }

    @Test("the ring keeps the newest `limit` admissions; a smaller limit keeps the newest of them")
    func ringAndNewLimit() throws {
        let (folder, path) = try path()
        defer { withExtendedLifetime(folder) {} }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let file = try RequestWindowFile(path: path, limit: 3, window: Self.window, now: now)
            for age in stride(from: 30.0, through: 1, by: -1) { file.record(now.addingTimeInterval(-age)) }
        }
        #expect(try RequestWindowFile(path: path, limit: 3, window: Self.window, now: now).earlier.map { now.timeIntervalSince($0) } == [3, 2, 1])
        #expect(try RequestWindowFile(path: path, limit: 2, window: Self.window, now: now).earlier.map { now.timeIntervalSince($0) } == [2, 1])
        #expect(try RequestWindowFile(path: path, limit: 10, window: Self.window, now: now).earlier.count == 2)
    }

    @Test("a file from before a reboot, with an admission inside the window, counts the whole budget as spent now")
    func otherBoot() throws {
        let (folder, path) = try path()
        defer { withExtendedLifetime(folder) {} }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let file = try RequestWindowFile(path: path, limit: 4, window: Self.window, now: now)
            file.record(now.addingTimeInterval(-30))
        }
        // Another boot id in the header: what the lost writes held cannot be known.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for index in 8..<44 { bytes[index] = UInt8(ascii: "0") }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reopened = try RequestWindowFile(path: path, limit: 4, window: Self.window, now: now)
        #expect(reopened.earlier == Array(repeating: now, count: 4))
        // Nothing recent: nothing is assumed.
        let later = now.addingTimeInterval(120)
        for index in 8..<44 { bytes[index] = UInt8(ascii: "1") }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try RequestWindowFile(path: path, limit: 4, window: Self.window, now: later).earlier.isEmpty)
    }

    @Test("a file that is not one (garbage, empty, short) is started anew; a time in the future counts as now")
    func damagedFile() throws {
        let (folder, path) = try path()
        defer { withExtendedLifetime(folder) {} }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for content in [[UInt8](), Array("not a window file at all, just words".utf8), Array(RequestWindowFile.magic + [1, 2, 3])] {
            try Data(content).write(to: URL(fileURLWithPath: path))
            #expect(try RequestWindowFile(path: path, limit: 3, window: Self.window, now: now).earlier.isEmpty)
        }
        do {
            let file = try RequestWindowFile(path: path, limit: 3, window: Self.window, now: now)
            file.record(now.addingTimeInterval(3600))
        }
        #expect(try RequestWindowFile(path: path, limit: 3, window: Self.window, now: now).earlier == [now])
    }

    @Test("a folder the file cannot be made in is an error naming the path and the errno")
    func unusableFolder() throws {
        #expect {
            try RequestWindowFile(path: "/proc/facedrop-no-such-folder/request-window", limit: 3, window: Self.window)
        } throws: { error in
            "\(error)".contains("/proc/facedrop-no-such-folder/request-window") && "\(error)".contains("errno")
        }
    }

    /// Asks `budget` (new, on `clock` at zero) for one slot and checks it is admitted after `earliest` on that
    /// clock and by `latest`, not before: `why` says what should have held it back.
    func expectFirstAdmission(
        _ budget: RequestBudget,
        _ clock: TestClock<Duration>,
        after earliest: Duration,
        by latest: Duration,
        _ why: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let waiter = Task { try await budget.reserve() }
        #expect(await eventually { await budget.snapshot().waiting == 1 }, sourceLocation: sourceLocation)
        await clock.advance(by: earliest)
        #expect(await budget.admittedCount == 0, "admitted \(why)", sourceLocation: sourceLocation)
        #expect(await clock.advance(by: latest - earliest) { await budget.admittedCount == 1 }, sourceLocation: sourceLocation)
        let admitted = try await waiter.value
        #expect(admitted > ElapsedClock.Instant(offset: earliest), sourceLocation: sourceLocation)
        #expect(admitted <= ElapsedClock.Instant(offset: latest), sourceLocation: sourceLocation)
    }

    @Test("a budget made from the file counts the last life's admissions: a spent window makes the first request wait for it to free")
    func budgetStartsSpent() async throws {
        let (folder, path) = try path()
        defer { withExtendedLifetime(folder) {} }
        let window = Duration.seconds(61)
        do {
            let firstFile = try RequestWindowFile(path: path, limit: 2, window: window)
            let first = RequestBudget(requestsPerMinute: 2, burst: 2, window: window, clock: TestClock(), file: firstFile)
            _ = try await first.reserve()
            _ = try await first.reserve()
            #expect(await first.snapshot().isExhausted)
        }
        let file = try RequestWindowFile(path: path, limit: 2, window: window)
        #expect(file.earlier.count == 2)
        let clock = TestClock()
        // Paced by default (a burst of 1, a token every 30.5 s): the remembered window still decides.
        let second = RequestBudget(requestsPerMinute: 2, window: window, clock: clock, file: file)
        #expect(await second.snapshot().admittedInWindow == 2)
        #expect(await second.snapshot().isExhausted)
        // The earlier admissions were made a moment ago (well under ten seconds of real time, however loaded the
        // machine): the window frees between 51 s and 61 s of the new budget's clock, not before.
        try await expectFirstAdmission(second, clock, after: .seconds(51), by: .seconds(61), "while the last life's admissions filled the window")
        // And recorded for the life after this one: the ring of two holds the newer earlier one and this one.
        let third = try RequestWindowFile(path: path, limit: 2, window: .seconds(61)).earlier
        #expect(third.count == 2)
        // Stored to the millisecond, rounded up: an admission read back within a millisecond of being made counts as now.
        #expect(third.first.map { abs($0.timeIntervalSince(file.earlier[1])) < 0.002 } == true, "\(third) vs \(file.earlier)")
        #expect(third.last.map { $0 > file.earlier[1] } == true)
    }

    @Test("a budget made from the file keeps the last life's pace: after its burst, the next request waits for a token though the window has room")
    func budgetKeepsThePace() async throws {
        let (folder, path) = try path()
        defer { withExtendedLifetime(folder) {} }
        do {
            let firstFile = try RequestWindowFile(path: path, limit: 6, window: Self.window)
            let first = RequestBudget(requestsPerMinute: 6, burst: 2, window: Self.window, clock: TestClock(), file: firstFile)
            _ = try await first.reserve()
            _ = try await first.reserve()
        }
        let file = try RequestWindowFile(path: path, limit: 6, window: Self.window)
        #expect(file.earlier.count == 2)
        let clock = TestClock()
        let second = RequestBudget(requestsPerMinute: 6, burst: 2, window: Self.window, clock: clock, file: file)
        // Two of six: the window alone would admit at once.
        #expect(await !second.snapshot().isExhausted)
        // The last life spent its burst a moment ago (well under five seconds of real time, however loaded the
        // machine): a token comes back 61 s / 6 after it, between 5 s and 10.17 s of the new budget's clock.
        try await expectFirstAdmission(second, clock, after: .seconds(5), by: .milliseconds(10_167), "with no token left by the last life")
    }
}
