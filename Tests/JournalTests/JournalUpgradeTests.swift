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
