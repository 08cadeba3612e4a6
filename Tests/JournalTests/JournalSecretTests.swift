import Foundation
import Journal
import Testing

@Suite("Nothing secret in the journal")
struct JournalSecretTests {
    @Test("A job record has no field that could hold a key")
    func noKeyField() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let record = try await fixture.journal.recordClaim(.sample("fields"))
        let names = [Mirror(reflecting: record), Mirror(reflecting: record.claim)]
            .flatMap { $0.children.compactMap(\.label) }
            .map { $0.lowercased() }
        #expect(names.count == 22 + 11)
        #expect(!names.contains { $0.contains("key") || $0.contains("secret") || $0.contains("token") })
    }

    @Test("After a full job's transitions, an API key canary is nowhere in the database files")
    func canaryNeverStored() async throws {
        let canary = "SG_canary_\(UUID().uuidString)"
        // The key exists in the process, as it does in the daemon; the journal's API has no parameter to take it.
        let environment = ["SEGMIND_API_KEY": canary]
        #expect(environment.values.contains(canary))

        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let job = try await journal.job(named: "canary-job", in: .done)
        try await journal.job(named: "canary-failed", in: .failed)
        #expect(job.requestID != nil)

        var bytes = Data()
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: journal.path + suffix) {
            bytes += try Data(contentsOf: URL(fileURLWithPath: journal.path + suffix))
        }
        // The stored request ID is found, so the search itself works.
        #expect(bytes.range(of: Data("req-\(job.id)".utf8)) != nil)
        #expect(bytes.range(of: Data(canary.utf8)) == nil)
    }
}
