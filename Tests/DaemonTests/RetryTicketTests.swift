import Testing

@testable import Daemon

@Suite("Retry tickets: what a folder in retry/ asks for")
struct RetryTicketTests {
    static let inboxes = ["portraits": "/srv/inbox/portraits"]

    static func record(_ fields: String) -> [UInt8] {
        Array("{\(fields)}".utf8)
    }

    @Test("inbox, job, subfolder from the recorded source, attempt and code; outcome_unknown may have been billed")
    func readsTheRecord() throws {
        let ticket = try RetryTicket.read(
            Self.record(
                #""inbox":"portraits","job":"lisa","claim_id":"c-1","source":"/srv/inbox/portraits/team/anna/lisa.jpg","code":"outcome_unknown","attempt":2"#
            ),
            inboxes: Self.inboxes
        ).get()
        #expect(ticket.inbox == "portraits")
        #expect(ticket.job == "lisa")
        #expect(ticket.subpath == "team/anna")
        #expect(ticket.attempt == 2)
        #expect(ticket.claimID == "c-1")
        #expect(ticket.mayHaveBeenBilled)
        let top = try RetryTicket.read(
            Self.record(#""inbox":"portraits","job":"x","claim_id":"c-2","source":"/srv/inbox/portraits/x.png","code":"invalid_sidecar""#),
            inboxes: Self.inboxes
        ).get()
        #expect(top.subpath == "")
        #expect(top.attempt == 1)
        #expect(!top.mayHaveBeenBilled)
    }

    @Test("a record that is not JSON, lacks its fields or names an inbox of another outbox is refused with a reason")
    func refusals() {
        #expect(RetryTicket.read(Array("nope".utf8), inboxes: Self.inboxes) == .failure(.unreadableRecord("not a JSON object")))
        #expect(RetryTicket.read(Self.record(#""inbox":"portraits""#), inboxes: Self.inboxes) == .failure(.unreadableRecord("inbox, job or claim_id missing")))
        #expect(RetryTicket.read(Self.record(#""inbox":"other","job":"x","claim_id":"c""#), inboxes: Self.inboxes) == .failure(.unknownInbox("other")))
        #expect(RetryTicket.Problem.mayPayTwice.description.contains("--may-pay-twice"))
    }
}
