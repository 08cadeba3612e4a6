import FacedropTestSupport
import Foundation
import GRDB
import Testing

@testable import Journal

/// Records are read by column position (``JobColumn``): these tests fail when the statements' columns and the decoder
/// disagree, or when a column the decoder reads is not the table's.
@Suite("Job records read by column position")
struct JobColumnTests {
    /// A row with a different value in every column, so that any two columns swapped show.
    static let insert = """
        INSERT INTO job (id, inbox, subpath, name, claimed_path, face_path, sidecar_path, pose_path, model, priority,
            dropped_at, ready_at, state, request_id, status_url, response_url, submitted_at, polls, next_poll_at, deadline,
            completed_at, spool_path, request, result, outputs, error_code, error_record, result_folder, updated_at,
            attempt, previous_error, retried_from)
        VALUES (7, 'inbox', 'sub/path', 'name', '/in/.facedrop/c', '/in/.facedrop/c/input/face.png', '/in/s.json',
            '/in/p.jpg', 'model', 3, 11, 12, 'submitted', 'request-id', 'https://status', 'https://response', 13, 4, 14,
            15, 16, '/spool/7', '{"request":1}', '{"result":2}', '[{"file":"a.png"}]', 'code', '{"error":3}',
            '/out/done/name', 17, 5, '{"previous":4}', 'claim-before')
        """

    /// The record as decoded by name from `SELECT *`, the way GRDB reads any row.
    static func byName(_ row: Row) -> JobRecord {
        func date(_ seconds: Double?) -> Date? { seconds.map(Date.init(timeIntervalSince1970:)) }
        return JobRecord(
            id: row["id"],
            claim: JobClaim(
                inbox: row["inbox"],
                subpath: row["subpath"],
                name: row["name"],
                claimedPath: row["claimed_path"],
                facePath: row["face_path"],
                sidecarPath: row["sidecar_path"],
                posePath: row["pose_path"],
                model: row["model"],
                priority: row["priority"],
                droppedAt: Date(timeIntervalSince1970: row["dropped_at"]),
                readyAt: Date(timeIntervalSince1970: row["ready_at"])
            ),
            state: JobState(rawValue: row["state"])!,
            requestID: row["request_id"],
            statusURL: row["status_url"],
            responseURL: row["response_url"],
            submittedAt: date(row["submitted_at"]),
            polls: row["polls"],
            nextPollAt: date(row["next_poll_at"]),
            deadline: date(row["deadline"]),
            completedAt: date(row["completed_at"]),
            spoolPath: row["spool_path"],
            request: row["request"],
            result: row["result"],
            outputs: row["outputs"],
            errorCode: row["error_code"],
            errorRecord: row["error_record"],
            resultFolder: row["result_folder"],
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]),
            attempt: row["attempt"],
            previousError: row["previous_error"],
            retriedFrom: row["retried_from"]
        )
    }

    @Test("every column the decoder reads is the job table's, under its name")
    func columnsAreTheTables() throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-journal-columns")
        let journal = try JobJournal(stateDirectory: directory.path)
        let table = try journal.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA table_info(job)").map { $0["name"] as String } }
        #expect(Set(JobColumn.selectedNames).isSubset(of: table), "\(Set(JobColumn.selectedNames).subtracting(table))")
        #expect(Set(JobColumn.selectedNames).count == JobColumn.allCases.count)
    }

    @Test("a record read by position equals the row read by name, field by field; so does one an UPDATE returns")
    func positionsMatchNames() async throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-journal-columns")
        let journal = try JobJournal(stateDirectory: directory.path)
        try await journal.pool.write { db in try db.execute(sql: Self.insert) }
        let expected = try await journal.pool.read { db in Self.byName(try #require(try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = 7"))) }
        #expect(expected.requestID == "request-id" && expected.previousError == #"{"previous":4}"#)
        let read = try #require(try journal.job(7))
        #expect(read == expected)
        let polled = try await journal.recordPoll(7, nextPollAt: Date(timeIntervalSince1970: 20))
        var moved = expected
        moved.polls = 5
        moved.nextPollAt = Date(timeIntervalSince1970: 20)
        moved.updatedAt = polled.updatedAt
        #expect(polled == moved)
        #expect(try journal.job(7) == polled)
    }

    @Test("a statement whose columns are not the decoder's, in its order, is refused")
    func otherOrderIsRefused() throws {
        let directory = try TemporaryDirectory(prefix: "facedrop-journal-columns")
        let journal = try JobJournal(stateDirectory: directory.path)
        var swapped = JobColumn.selectedNames
        swapped.swapAt(1, 2)
        try journal.pool.read { db in
            for sql in ["SELECT * FROM job", "SELECT \(swapped.joined(separator: ", ")) FROM job"] {
                let statement = try db.makeStatement(sql: sql)
                #expect(throws: JournalError.self) { try JobRecord.fetchAll(statement, arguments: []) }
            }
        }
    }
}
