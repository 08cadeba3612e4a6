import Foundation
import HotFolder
import Testing

@Suite("Inbox tracker: batch tickets")
struct InboxTrackerTicketTests {
    @Test("ticket names: <stem>.batch.json and .batch.csv, any case; not a sidecar, no member of a job")
    func names() {
        #expect(CandidateName(name: "team.batch.json") == .ticket(stem: "team"))
        #expect(CandidateName(name: "team.BATCH.CSV") == .ticket(stem: "team"))
        #expect(CandidateName(name: ".batch.json") == nil, "a dotfile")
        #expect(CandidateName(name: "team.json") == .sidecar(stem: "team"))
        #expect(CandidateName(name: "team.batch.txt") == .other)
    }

    @Test("a settled ticket is handed over alone; a lone face waits while it is there, even where sidecars are optional")
    func handedOverFirst() throws {
        var harness = TrackerHarness(sidecarRequired: false)
        harness.drop("team.batch.json", at: 0)
        harness.drop("anna.jpg", at: 0)
        #expect(harness.take(at: 1).isEmpty)
        let output = harness.take(at: 3)
        #expect(output.tickets.map(\.stem) == ["team"])
        #expect(output.ready.isEmpty, "held in the pass that hands the ticket over")
        #expect(output.orphans.isEmpty)
        #expect(harness.take(at: 4).ready.map(\.stem) == ["anna"], "a face the ticket did not take goes on alone")
    }

    @Test("a ticket in a sidecar-required inbox never orphans, and an empty one waits")
    func neverOrphan() {
        var harness = TrackerHarness()
        harness.drop("team.batch.csv", size: 0, at: 0)
        #expect(harness.take(at: 2000).isEmpty)
        harness.drop("team.batch.csv", at: 2000)
        #expect(harness.take(at: 2003).tickets.map(\.stem) == ["team"])
    }
}
