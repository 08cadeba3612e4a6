import FacedropTestSupport
import Foundation
import Journal
import Testing

@Suite("Expansions: a variations drop is expanded once, resumed after a crash, anew when dropped again")
struct JournalExpansionTests {
    @Test("begin, resume with the same start, claims since then are the expansion's own, complete, then begin anew")
    func lifecycle() async throws {
        let fixture = try JournalFixture()
        defer { withExtendedLifetime(fixture) {} }
        let journal = fixture.journal
        let start = try await journal.beginExpansion(inbox: "/srv/inbox", subpath: "team", stem: "x", sidecarSHA256: "abc")
        fixture.clock.advance(by: 5)
        #expect(try await journal.beginExpansion(inbox: "/srv/inbox", subpath: "team", stem: "x", sidecarSHA256: "abc") == start, "resumed")
        #expect(try journal.claimedSince(inbox: "/srv/inbox", subpath: "team", name: "x-v1", since: start) == false)
        var claim = JobClaim.sample("x-v1")
        claim.readyAt = start.addingTimeInterval(1)
        try await journal.recordClaim(claim)
        #expect(try journal.claimedSince(inbox: "/srv/inbox", subpath: "team", name: "x-v1", since: start))
        #expect(try journal.claimedSince(inbox: "/srv/inbox", subpath: "team", name: "x-v2", since: start) == false)
        #expect(try journal.claimedSince(inbox: "/srv/inbox", subpath: "team", name: "x-v1", since: start.addingTimeInterval(2)) == false)
        try await journal.completeExpansion(inbox: "/srv/inbox", subpath: "team", stem: "x", sidecarSHA256: "abc")
        let again = try await journal.beginExpansion(inbox: "/srv/inbox", subpath: "team", stem: "x", sidecarSHA256: "abc")
        #expect(again > start, "the same drop dropped again is a new expansion")
    }
}
