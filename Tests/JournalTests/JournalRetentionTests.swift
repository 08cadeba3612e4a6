import Foundation
import GRDB
import Testing

@testable import Journal

@Suite("Journal: jobs the outbox's retention must spare")
struct JournalRetentionTests {
    @Test("unfinished jobs and undelivered failures and cancellations are listed; finished ones are not")
    func unfinishedOutboxJobs() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        try await journal.job(named: "queued", in: .claimed)
        let delivered = try await journal.job(named: "delivered", in: .delivered)
        try await journal.job(named: "done", in: .done)
        let failedUndelivered = try await journal.job(named: "failed-undelivered", in: .failed)
        let failedDelivered = try await journal.job(named: "failed-delivered", in: .failed)
        try await journal.recordFailureDelivered(failedDelivered.id, resultFolder: "/srv/outbox/failed/team/failed-delivered")
        try await journal.job(named: "cancelled-undelivered", in: .cancelled)

        let unfinished = try journal.unfinishedOutboxJobs()
        #expect(unfinished.claimIDs == ["queued", "delivered", "failed-undelivered", "cancelled-undelivered"])
        #expect(unfinished.folders == [try #require(delivered.resultFolder)])
        #expect(failedUndelivered.resultFolder == nil)
    }

    /// The number of rows of `table` matching `condition`.
    static func count(_ journal: JobJournal, _ table: String, _ condition: String = "1") throws -> Int {
        try journal.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(condition)") ?? 0 }
    }

    @Test(
        "forgetting: finished jobs older than the cutoff and their hooks go, a job with a hook still due and unfinished jobs stay; spend, its sums and crossings go only for months before the cutoff's"
    )
    func forgetFinished() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        // 2027-01-15: old jobs, spend booked in December 2026 and January 2027.
        let december = Date(timeIntervalSince1970: 1_800_000_000 - 40 * 86_400)
        let january = fixture.clock.now
        let oldDone = try await journal.job(named: "old-done", in: .delivered)
        try await journal.markDone(oldDone.id, hooks: [.command])
        let hooks = try journal.unfinishedHooks()
        for hook in hooks { try await journal.finishHook(hook.id, outcome: "exit 0") }
        let oldFailed = try await journal.job(named: "old-failed", in: .failed)
        let hooked = try await journal.job(named: "old-hook-due", in: .delivered)
        try await journal.markDone(hooked.id, hooks: [.webhook])
        let queued = try await journal.job(named: "old-queued", in: .claimed)
        _ = try await journal.reserveSpend(oldDone.id, inbox: "team", estimate: 0.5, at: december, limits: [])
        try await journal.bookSpend(oldDone.id, inbox: "team", cost: 0.4, at: december)
        _ = try await journal.reserveSpend(oldFailed.id, inbox: "team", estimate: 0.5, at: january, limits: [])
        try await journal.bookSpend(oldFailed.id, inbox: "team", cost: 0.3, at: january)
        _ = try await journal.reserveSpend(queued.id, inbox: "team", estimate: 0.2, at: december, limits: [])
        try await journal.write { db in
            try db.execute(
                sql: """
                    INSERT INTO budget_crossing (scope, period, limit_usd, crossed_at) VALUES
                        ('service', '2026-12-31', 1, 0), ('service', '2026-12', 1, 0), ('service', '2027-01', 1, 0), ('service', '2027-01-02', 1, 0);
                    INSERT INTO expansion (inbox, subpath, stem, sidecar_sha256, created_at, completed_at) VALUES
                        ('team', '', 'done', 'a', 0, \(january.timeIntervalSince1970)), ('team', '', 'running', 'b', 0, NULL);
                    """
            )
        }
        // Ten days later, a recent job; the cutoff falls between them, in January.
        fixture.clock.advance(by: 10 * 86_400)
        let recent = try await journal.job(named: "recent-done", in: .done)
        let cutoff = fixture.clock.now.addingTimeInterval(-86_400)

        #expect(try await journal.forgetFinished(before: cutoff) == 2)
        let names = try journal.read { db in try String.fetchAll(db, sql: "SELECT name FROM job ORDER BY id") }
        #expect(names == ["old-hook-due", "old-queued", "recent-done"])
        #expect(try Self.count(journal, "hook") == 1, "the finished hook goes with its job, the one still due stays")
        #expect(try journal.unfinishedHooks().map(\.jobID) == [hooked.id])
        // December's spend of a forgotten job goes, January's stays whole (the cutoff's month), and so does an
        // unfinished job's reservation of December.
        #expect(try journal.read { db in try Int64.fetchAll(db, sql: "SELECT job_id FROM spend ORDER BY job_id") } == [oldFailed.id, queued.id])
        let totals = try journal.spendTotals(at: january)
        #expect(totals["team"]?.bookedThisMonth == 0.3)
        #expect(try Self.count(journal, "spend_day", "month = '2026-12' AND in_flight = 200000 AND booked = 0") == 1)
        #expect(try Self.count(journal, "spend_day", "month = '2026-12'") == 1, "the forgotten day's sum went with it")
        let periods = try journal.read { db in try String.fetchAll(db, sql: "SELECT period FROM budget_crossing ORDER BY period") }
        #expect(periods == ["2027-01", "2027-01-02"])
        let stems = try journal.read { db in try String.fetchAll(db, sql: "SELECT stem FROM expansion") }
        #expect(stems == ["running"])
        _ = recent

        // Once the hook has run, its job goes too; a second pass with nothing to forget changes nothing.
        try await journal.finishHook(try #require(try journal.unfinishedHooks().first).id, outcome: "200")
        #expect(try await journal.forgetFinished(before: cutoff) == 1)
        #expect(try await journal.forgetFinished(before: cutoff) == 0)
        #expect(try Self.count(journal, "job") == 2)
    }

    @Test("forgetting a journal never pruned goes through it a batch at a time, past batches that keep a job")
    func forgetFinishedInBatches() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        // 3 batches and a part: every 100th old job has a hook still due, one queued job sits among them.
        let old = fixture.clock.now.addingTimeInterval(-100 * 86_400).timeIntervalSince1970
        try await journal.write { db in
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1703)
                    INSERT INTO job (inbox, subpath, name, claimed_path, face_path, dropped_at, ready_at, state, updated_at)
                    SELECT 'team', '', 'job' || i, '/inbox/.facedrop/claim' || i, '/inbox/job' || i || '.jpg', ?, ?,
                        CASE WHEN i = 777 THEN 'claimed' ELSE 'done' END, ? FROM n;
                    INSERT INTO hook (job_id, kind, event, due_at) SELECT id, 'webhook', 'done', 0 FROM job WHERE id % 100 = 0;
                    """,
                arguments: [old, old, old]
            )
        }
        #expect(try Self.count(journal, "hook") == 17)
        #expect(try await journal.forgetFinished(before: fixture.clock.now) == 1703 - 17 - 1)
        #expect(try Self.count(journal, "job") == 18)
        #expect(try Self.count(journal, "job", "state = 'claimed'") == 1)
        #expect(try Self.count(journal, "hook") == 17)
    }

    @Test("a finished job whose claim folder is still there is not forgotten, until the folder is gone")
    func claimFolderKeepsTheJob() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let kept = try await journal.job(named: "claim-left", in: .done)
        try await journal.job(named: "claim-removed", in: .done)
        fixture.clock.advance(by: 100 * 86_400)
        let remaining: Set<String> = [kept.claimedPath]
        #expect(try await journal.forgetFinished(before: fixture.clock.now) { remaining.intersection($0) } == 1)
        #expect(try journal.job(claimedPath: kept.claimedPath) != nil)
        #expect(try await journal.forgetFinished(before: fixture.clock.now) { _ in [] } == 1)
        #expect(try Self.count(journal, "job") == 0)
    }
}
