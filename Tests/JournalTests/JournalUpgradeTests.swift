import FacedropTestSupport
import Foundation
import GRDB
@testable import Journal
import Testing

@Suite("Journal upgrades")
struct JournalUpgradeTests {
    @Test("A journal from before the request column opens, keeps its jobs and takes requests")
    func upgradeFromFirstSchema() async throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-journal-upgrade")
        let path = "\(directory.path)/\(JobJournal.fileName)"
        do {
            let old = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(old, upTo: "v1: jobs")
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO job (inbox, subpath, name, claimed_path, face_path, dropped_at, ready_at, state, updated_at)
                    VALUES ('team', '', 'old', '/srv/inbox/.facedrop/old', '/srv/inbox/.facedrop/old/input/old.png', 1, 2, 'claimed', 3)
                    """)
            }
            try old.close()
        }

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
        let directory = try TemporaryDirectory(prefix: "facedrop-journal-upgrade")
        let path = "\(directory.path)/\(JobJournal.fileName)"
        do {
            let old = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(old, upTo: "v2: request")
            try await old.write { db in
                try db.execute(sql: """
                    INSERT INTO job (inbox, subpath, name, claimed_path, face_path, dropped_at, ready_at, state, request_id, updated_at)
                    VALUES ('team', '', 'old', '/srv/inbox/.facedrop/old', '/srv/inbox/.facedrop/old/input/old.png', 1, 2, 'submitted', 'r-1', 3)
                    """)
            }
            try old.close()
        }
        let journal = try JobJournal(stateDirectory: directory.path)
        let job = try #require(try journal.job(claimedPath: "/srv/inbox/.facedrop/old"))
        #expect(job.state == .submitted && job.result == nil)
        let recorded = try await journal.recordResult(job.id, result: #"{"status":"COMPLETED"}"#)
        #expect(recorded.result == #"{"status":"COMPLETED"}"#)
        #expect(recorded.state == .submitted)
    }
}
