import Clocks
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

    @Test("a budget made from the file counts the last life's admissions: a spent window makes the first request wait for it to free")
    func budgetStartsSpent() async throws {
        let (folder, path) = try path()
        defer { withExtendedLifetime(folder) {} }
        let window = Duration.seconds(61)
        do {
            let firstFile = try RequestWindowFile(path: path, limit: 2, window: window)
            let first = RequestBudget(requestsPerMinute: 2, window: window, clock: TestClock(), file: firstFile)
            _ = try await first.reserve()
            _ = try await first.reserve()
            #expect(await first.snapshot().isExhausted)
        }
        let file = try RequestWindowFile(path: path, limit: 2, window: window)
        #expect(file.earlier.count == 2)
        let clock = TestClock()
        let second = RequestBudget(requestsPerMinute: 2, window: window, clock: clock, file: file)
        #expect(await second.snapshot().admittedInWindow == 2)
        #expect(await second.snapshot().isExhausted)
        let waiter = Task { try await second.reserve() }
        #expect(await eventually { await second.snapshot().waiting == 1 })
        // The earlier admissions were made a moment ago (well under ten seconds of real time, however loaded the
        // machine): the window frees between 51 s and 61 s of the new budget's clock, not before.
        await clock.advance(by: .seconds(51))
        #expect(await second.admittedCount == 0, "admitted while the last life's admissions filled the window")
        #expect(await clock.advance(by: .seconds(10)) { await second.admittedCount == 1 })
        let admitted = try await waiter.value
        #expect(admitted > ElapsedClock.Instant(offset: .seconds(51)))
        #expect(admitted <= ElapsedClock.Instant(offset: .seconds(61)))
        // And recorded for the life after this one: the ring of two holds the newer earlier one and this one.
        let third = try RequestWindowFile(path: path, limit: 2, window: .seconds(61)).earlier
        #expect(third.count == 2)
        // Stored to the millisecond, rounded up: an admission read back within a millisecond of being made counts as now.
        #expect(third.first.map { abs($0.timeIntervalSince(file.earlier[1])) < 0.002 } == true, "\(third) vs \(file.earlier)")
        #expect(third.last.map { $0 > file.earlier[1] } == true)
    }
}
