import Foundation
import Journal
import Testing

@Suite("Journal queries")
struct JournalQueryTests {
    @Test("Counts cover every state, zeros included")
    func counts() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        try await journal.job(named: "a", in: .claimed)
        try await journal.job(named: "b", in: .claimed)
        try await journal.job(named: "c", in: .submitted)
        try await journal.job(named: "d", in: .done)
        let counts = try journal.countsByState()
        #expect(counts.count == JobState.allCases.count)
        #expect(counts[.claimed] == 2)
        #expect(counts[.submitted] == 1)
        #expect(counts[.done] == 1)
        #expect(counts[.failed] == 0)
    }

    @Test("Next to submit: higher priority first, then the longest ready, claimed jobs only")
    func priorityOrdering() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let lowOld = try await journal.recordClaim(.sample("low-old", priority: 0, readyAt: base))
        let highNew = try await journal.recordClaim(.sample("high-new", priority: 5, readyAt: base.addingTimeInterval(60)))
        let lowNew = try await journal.recordClaim(.sample("low-new", priority: 0, readyAt: base.addingTimeInterval(30)))
        let highOld = try await journal.recordClaim(.sample("high-old", priority: 5, readyAt: base.addingTimeInterval(10)))
        let urgentButSent = try await journal.recordClaim(.sample("sent", priority: 9, readyAt: base))
        try await journal.markSubmitting(urgentButSent.id)

        #expect(try journal.nextToSubmit(limit: 10).map(\.id) == [highOld.id, highNew.id, lowOld.id, lowNew.id])
        #expect(try journal.nextToSubmit(limit: 2).map(\.id) == [highOld.id, highNew.id])
        #expect(try journal.nextToSubmit(limit: 0).isEmpty)
        // Jobs already started are skipped, and the limit still counts the ones returned.
        #expect(try journal.nextToSubmit(limit: 2, skipping: [highOld.id, lowOld.id]).map(\.id) == [highNew.id, lowNew.id])
        #expect(try journal.nextToSubmit(limit: 1, skipping: [highOld.id]).map(\.id) == [highNew.id])
        #expect(try journal.nextToSubmit(limit: 5, skipping: [highOld.id, highNew.id, lowOld.id, lowNew.id]).isEmpty)
    }

    @Test("Queues: every inbox and top folder with a claimed job, however the queues interleave, and no other")
    func queuesSkipThroughTheIndex() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        // Inboxes and top folders whose names sort into each other ("a" < "a/" < "ab" < "b"), queues of one job
        // and of several, and queues whose jobs have all started (not claimed any more), first, last and between.
        let inboxes = ["a", "ab", "b", "z"]
        let folders = ["", "a", "a b", "ab", "b", "zz"]
        var expected: Set<QueuedFolder> = []
        var index = 0
        for inbox in inboxes {
            for folder in folders {
                index += 1
                let jobs = index % 4
                let started = index % 3 == 0
                for job in 0..<jobs {
                    var claim = JobClaim.sample("\(inbox)-\(folder)-\(job)", priority: job, readyAt: Date(timeIntervalSince1970: 1_800_000_000))
                    claim.inbox = inbox
                    claim.subpath = folder.isEmpty ? "" : "\(folder)/deeper"
                    let record = try await journal.recordClaim(claim)
                    if started { try await journal.markSubmitting(record.id) }
                }
                if jobs > 0, !started { expected.insert(QueuedFolder(inbox: inbox, topFolder: folder)) }
            }
        }
        #expect(expected.count > 5)
        let found = try journal.queuedFolders()
        #expect(found.count == expected.count)
        #expect(Set(found) == expected)
    }

    @Test("Queues: none when no job is claimed")
    func noQueues() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        #expect(try journal.queuedFolders().isEmpty)
        try await journal.job(named: "sent", in: .submitted)
        #expect(try journal.queuedFolders().isEmpty)
    }

    @Test("Queues: the inboxes and top folders with claimed jobs; a queue's next jobs in its own order")
    func queues() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        func claim(_ name: String, inbox: String, subpath: String, priority: Int = 0, after seconds: Double) async throws -> JobRecord {
            var claim = JobClaim.sample(name, priority: priority, readyAt: base.addingTimeInterval(seconds))
            claim.inbox = inbox
            claim.subpath = subpath
            return try await journal.recordClaim(claim)
        }
        let alice1 = try await claim("alice1", inbox: "team", subpath: "alice/shoot", after: 0)
        let alice2 = try await claim("alice2", inbox: "team", subpath: "alice", priority: 3, after: 10)
        let bob = try await claim("bob", inbox: "team", subpath: "bob", after: 5)
        let top = try await claim("top", inbox: "team", subpath: "", after: 1)
        let other = try await claim("other", inbox: "other", subpath: "x/y", after: 2)
        let sent = try await claim("sent", inbox: "other", subpath: "x", after: 0)
        try await journal.markSubmitting(sent.id)

        let queues = try journal.queuedFolders().sorted { ($0.inbox, $0.topFolder) < ($1.inbox, $1.topFolder) }
        #expect(
            queues == [
                QueuedFolder(inbox: "other", topFolder: "x"),
                QueuedFolder(inbox: "team", topFolder: ""),
                QueuedFolder(inbox: "team", topFolder: "alice"),
                QueuedFolder(inbox: "team", topFolder: "bob"),
            ]
        )
        #expect(try journal.nextToSubmit(inbox: "team", topFolder: "alice", limit: 5).map(\.id) == [alice2.id, alice1.id])
        #expect(try journal.nextToSubmit(inbox: "team", topFolder: nil, limit: 5).map(\.id) == [alice2.id, alice1.id, top.id, bob.id])
        #expect(try journal.nextToSubmit(inbox: "team", topFolder: nil, limit: 2, skipping: [alice2.id]).map(\.id) == [alice1.id, top.id])
        #expect(try journal.nextToSubmit(inbox: "other", topFolder: nil, limit: 5).map(\.id) == [other.id])
        #expect(try journal.nextToSubmit(inbox: "team", topFolder: "carol", limit: 5).isEmpty)
    }

    @Test("In flight: submitting and submitted jobs, soonest poll first")
    func inFlight() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let later = try await journal.job(named: "later", in: .submitted)
        let sooner = try await journal.job(named: "sooner", in: .submitted)
        let unsure = try await journal.job(named: "unsure", in: .submitting)
        try await journal.job(named: "waiting", in: .claimed)
        try await journal.job(named: "spooled", in: .spooled)
        try await journal.recordPoll(later.id, nextPollAt: fixture.clock.now.addingTimeInterval(60))
        try await journal.recordPoll(sooner.id, nextPollAt: fixture.clock.now.addingTimeInterval(5))
        #expect(try journal.inFlight().map(\.id) == [sooner.id, later.id, unsure.id])
    }

    @Test("Average run time per model counts only jobs that finished running")
    func averageRunTime() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        func run(_ name: String, model: String, seconds: TimeInterval) async throws {
            let job = try await journal.job(named: name, in: .submitted, model: model)
            fixture.clock.advance(by: seconds)
            try await journal.recordSpooled(job.id, spoolPath: "/spool/\(name)", outputs: "[]")
        }
        try await run("a", model: "pulid-base", seconds: 10)
        try await run("b", model: "pulid-base", seconds: 20)
        try await run("c", model: "flux-pulid", seconds: 40)
        let done = try await journal.job(named: "d", in: .done, model: "instantid")
        #expect(done.state == .done)
        let stillRunning = try await journal.job(named: "e", in: .submitted, model: "pulid-lightning")
        fixture.clock.advance(by: 100)
        try await journal.recordPoll(stillRunning.id, nextPollAt: fixture.clock.now)

        let averages = try journal.averageRunTimes()
        #expect(averages["pulid-base"] == 15)
        #expect(averages["flux-pulid"] == 40)
        #expect(averages["instantid"] == 0)
        #expect(averages["pulid-lightning"] == nil)
    }

    @Test("Readers see whole transactions while a writer moves jobs")
    func concurrentReaders() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        var claimed: [Int64] = []
        for number in 0..<40 { claimed.append(try await journal.recordClaim(.sample("job-\(number)")).id) }
        let ids = claimed

        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for id in ids {
                    for state in [JobState.submitting, .submitted, .spooled, .delivered, .done] {
                        _ = try await journal.advance(id, to: state)
                    }
                }
                return 0
            }
            for _ in 0..<3 {
                group.addTask {
                    var reads = 0
                    while try journal.countsByState()[.done] != ids.count, reads < 10_000 {
                        let counts = try journal.countsByState()
                        // Each move is one transaction: a snapshot never loses or doubles a job.
                        #expect(counts.values.reduce(0, +) == ids.count)
                        reads += 1
                        // Moves are awaited on the writer thread: leave the writer's task a cooperative thread.
                        try await Task.sleep(for: .milliseconds(1))
                    }
                    return reads
                }
            }
            var total = 0
            for try await reads in group {
                total += reads
            }
            #expect(total < 30_000)
        }
        #expect(try journal.countsByState()[.done] == ids.count)
    }
}
