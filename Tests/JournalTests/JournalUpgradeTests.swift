import FacedropTestSupport
import Foundation
import GRDB
import Testing

@testable import Journal

@Suite("Journal upgrades")
struct JournalUpgradeTests {
    /// A state folder whose journal has the schema up to `migration` and one job inserted by `insert`.
    static func oldJournal(upTo migration: String, insert: String) async throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "facedrop-journal-upgrade")
        let old = try DatabaseQueue(path: "\(directory.path)/\(JobJournal.fileName)")
        try Schema.migrator.migrate(old, upTo: migration)
        try await old.write { db in try db.execute(sql: insert) }
        try old.close()
        return directory
    }

    @Test("A journal from before the request column opens, keeps its jobs and takes requests")
    func upgradeFromFirstSchema() async throws {
        let directory = try await Self.oldJournal(
            upTo: "v1: jobs",
            insert: """
                INSERT INTO job (inbox, subpath, name, claimed_path, face_path, dropped_at, ready_at, state, updated_at)
                VALUES ('team', '', 'old', '/srv/inbox/.facedrop/old', '/srv/inbox/.facedrop/old/input/old.png', 1, 2, 'claimed', 3)
                """
        )
        let journal = try JobJournal(stateDirectory: directory.path)
        let job = try #require(try journal.job(claimedPath: "/srv/inbox/.facedrop/old"))
        #expect(job.state == .claimed)
        #expect(job.request == nil)
        #expect(try await journal.markSubmitting(job.id, request: "{}").request == "{}")
    }
}

extension JournalUpgradeTests {
    @Test("A journal from before the result column opens with a submitted job that is then given its result")
    func upgradeFromSecondSchema() async throws {
        let directory = try await Self.oldJournal(
            upTo: "v2: request",
            insert: """
                INSERT INTO job (inbox, subpath, name, claimed_path, face_path, dropped_at, ready_at, state, request_id, updated_at)
                VALUES ('team', '', 'old', '/srv/inbox/.facedrop/old', '/srv/inbox/.facedrop/old/input/old.png', 1, 2, 'submitted', 'r-1', 3)
                """
        )
        let journal = try JobJournal(stateDirectory: directory.path)
        let job = try #require(try journal.job(claimedPath: "/srv/inbox/.facedrop/old"))
        #expect(job.state == .submitted && job.result == nil)
        let recorded = try await journal.recordResult(job.id, result: #"{"status":"COMPLETED"}"#)
        #expect(recorded.result == #"{"status":"COMPLETED"}"#)
        #expect(recorded.state == .submitted)
    }
}

extension JournalUpgradeTests {
    @Test("A journal from before the per-day spend sums opens with its month's spend summed, and keeps the sums")
    func upgradeSumsTheSpend() async throws {
        let directory = try await Self.oldJournal(
            upTo: "v9: expansions",
            insert: """
                INSERT INTO spend (job_id, inbox, day, month, estimate, cost, reserved_at, booked_at) VALUES
                    (1, 'a', '2027-01-15', '2027-01', 0.036, 0.03, 1, 2),
                    (2, 'a', '2027-01-15', '2027-01', 0.036, NULL, 1, NULL),
                    (3, 'a', '2027-01-14', '2027-01', 0.5, 0.5, 1, 2),
                    (4, 'b', '2027-01-15', '2027-01', 0.2, NULL, 1, NULL),
                    (5, 'b', '2026-12-31', '2026-12', 9, 9, 1, 2)
                """
        )
        let journal = try JobJournal(stateDirectory: directory.path)
        let totals = try journal.spendTotals(at: JournalSpendTests.morning)
        #expect(totals["a"] == SpendTotals(bookedToday: 0.03, inFlightToday: 0.036, bookedThisMonth: 0.53, inFlightThisMonth: 0.036))
        #expect(totals["b"] == SpendTotals(inFlightToday: 0.2, inFlightThisMonth: 0.2))
        try await journal.releaseSpend(2)
        #expect(try journal.spendTotals(at: JournalSpendTests.morning)["a"]?.inFlightToday == 0)
    }
}
