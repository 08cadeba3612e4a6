import FacedropTestSupport
import Foundation
import GRDB
import Testing

@testable import Journal

/// The share indexes hold only queued jobs, and the queue queries still find their way through them.
///
/// SQLite uses a partial index only for a query whose terms imply the index's condition, and silently reads the whole
/// table otherwise; these tests read the query plans, so a query that stops matching its index fails here.
@Suite("Journal indexes")
struct JournalIndexTests {
    /// The `detail` column of SQLite's plan for `sql`.
    static func plan(_ journal: JobJournal, _ sql: String, _ arguments: StatementArguments) throws -> [String] {
        try journal.read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: arguments).map { $0["detail"] as String } }
    }

    /// The SQL the schema gives index `name`.
    static func indexSQL(_ journal: JobJournal, _ name: String) throws -> String? {
        try journal.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", arguments: [name]) }
    }

    @Test("The queue queries seek the partial share indexes and never read the whole table")
    func queueQueriesUseThePartialIndexes() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let queries: [(sql: String, arguments: StatementArguments, index: String)] = [
            (JobJournal.queuedFoldersSQL, [], "job_folder_queue"),
            (JobJournal.nextInFolderSQL, ["team", "ann", 9], "job_folder_queue"),
            (JobJournal.nextInInboxSQL, ["team", 9], "job_inbox_queue"),
        ]
        for (sql, arguments, index) in queries {
            let details = try Self.plan(journal, sql, arguments)
            #expect(details.contains { $0.contains("INDEX \(index)") }, "\(details)")
            // A scan of the table (under any of its names here) reads every job, finished ones too.
            #expect(!details.contains { ["SCAN job", "SCAN next", "SCAN this"].contains($0) }, "\(details)")
            #expect(!details.contains { $0.contains("USE TEMP B-TREE FOR ORDER BY") }, "\(details)")
        }
    }

    @Test("The share indexes are partial: they hold the claimed jobs only")
    func shareIndexesHoldQueuedJobsOnly() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        for name in ["job_inbox_queue", "job_folder_queue"] {
            let sql = try #require(try Self.indexSQL(fixture.journal, name))
            #expect(sql.hasSuffix("WHERE state = 'claimed'"), "\(sql)")
        }
    }

    @Test("A journal from before the partial share indexes opens with its queued jobs still in their queues")
    func upgradeKeepsTheQueues() async throws {
        let directory = try await JournalUpgradeTests.oldJournal(
            upTo: "v10: spend by day",
            insert: """
                INSERT INTO job (inbox, subpath, name, claimed_path, face_path, dropped_at, ready_at, state, top_folder, updated_at) VALUES
                    ('team', 'ann/x', 'queued', '/srv/inbox/.facedrop/q', '/srv/inbox/.facedrop/q/input/q.png', 1, 2, 'claimed', 'ann', 3),
                    ('team', 'bob/x', 'finished', '/srv/inbox/.facedrop/f', '/srv/inbox/.facedrop/f/input/f.png', 1, 2, 'done', 'bob', 3)
                """
        )
        let journal = try JobJournal(stateDirectory: directory.path)
        #expect(try journal.queuedFolders() == [QueuedFolder(inbox: "team", topFolder: "ann")])
        #expect(try journal.nextToSubmit(inbox: "team", topFolder: nil, limit: 5).map(\.name) == ["queued"])
        #expect(try journal.nextToSubmit(inbox: "team", topFolder: "ann", limit: 5).map(\.name) == ["queued"])
        #expect(try journal.nextToSubmit(inbox: "team", topFolder: "bob", limit: 5).isEmpty)
        #expect(try Self.indexSQL(journal, "job_folder_queue")?.hasSuffix("WHERE state = 'claimed'") == true)
    }
}
