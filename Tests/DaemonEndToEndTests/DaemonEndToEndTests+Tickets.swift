import FacedropTestSupport
import Foundation
import SegmindEmulator
import StrictJSON
import Testing

/// Batch tickets: one `<name>.batch.json` or `.batch.csv` names many faces of its folder with their settings; each
/// becomes a job of its own, the ticket and its faces are kept in `expanded/`.
extension DaemonEndToEndTests {
    @Test("a JSON ticket in a subfolder: one job per entry with the defaults under its keys; facedrop check sums them first")
    func ticketJSON() async throws {
        try await withDaemon { server, daemon in
            let anna = try Fixtures.bytes(Fixtures.faceJPEG)
            let ben = try Fixtures.bytes(Fixtures.facePNG)
            let ticket =
                #"{"defaults":{"model":"flux-pulid","width":256,"height":256,"output_format":"jpg"},"#
                + #""jobs":[{"face":"anna.jpg","prompt":"portrait of anna"},{"face":"ben.png","name":"ben-snow","prompt":"portrait of ben","seed":7}]}"#
            let checkPath = daemon.folder.appending("team.batch.json")
            try Data(ticket.utf8).write(to: URL(fileURLWithPath: checkPath))
            let (check, text) = try await daemon.runCommand(["check", "--config", daemon.configPath, checkPath])
            #expect(check.status == 0, "\(text)")
            #expect(text.contains("2 jobs, estimated cost in all: 0.072"), "\(text)")
            // The ticket last, as a careful producer does: its faces are there when it is read.
            try daemon.drop(anna, as: "shoot/anna.jpg")
            try daemon.drop(ben, as: "shoot/ben.png")
            try daemon.drop(Array(ticket.utf8), as: "shoot/team.batch.json")
            try await daemon.waitFor("two jobs done", timeout: .seconds(30)) { daemon.jobs(.done).count == 2 }
            #expect(daemon.jobs(.done) == ["shoot/ben-snow", "shoot/team-1"])
            #expect(await submittedNames(server) == ["anna", "ben"])
            #expect(try daemon.record(.done, "shoot/ben-snow")["parameters"]?["seed"]?.intValue == 7)
            #expect(daemon.inputs(.done, "shoot/team-1")["team-1.jpg"] == anna)
            let kept = "\(daemon.outbox)/expanded/shoot/team"
            #expect(try DaemonHarness.readJSON("\(kept)/expanded.json")["jobs"]?.arrayValue?.compactMap(\.stringValue) == ["team-1", "ben-snow"])
            #expect(FileManager.default.contents(atPath: "\(kept)/input/ben.png").map { [UInt8]($0) } == ben)
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            await daemon.expectClean()
        }
    }

    @Test("a CSV ticket naming one face twice: two jobs; a ticket that cannot be read goes to failed/ with the reason")
    func ticketCSVAndRefused() async throws {
        try await withDaemon { server, daemon in
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            try daemon.drop(face, as: "lisa.jpg")
            let csv =
                "face,name,model,prompt,width,height\nlisa.jpg,lisa-a,flux-pulid,\"portrait of a, b\",256,256\nlisa.jpg,lisa-b,flux-pulid,portrait of c,256,256\n"
            try daemon.drop(Array(csv.utf8), as: "looks.batch.csv")
            try await daemon.waitFor("two jobs done", timeout: .seconds(30)) { daemon.jobs(.done).count == 2 }
            #expect(daemon.jobs(.done) == ["lisa-a", "lisa-b"])
            #expect(await submittedNames(server) == ["a, b", "c"])

            let broken = Array(#"{"jobs":[{"prompt":"no face"}]}"#.utf8)
            try daemon.drop(broken, as: "broken.batch.json")
            try await daemon.waitFor("the ticket in failed/") { daemon.jobs(.failed) == ["broken"] }
            // Nothing is lost: the ticket is kept as dropped, and the inbox no longer holds it.
            let keptTicket = "\(daemon.jobFolder(.failed, "broken"))/input/broken.batch.json"
            #expect(FileManager.default.contents(atPath: keptTicket).map { [UInt8]($0) } == broken)
            #expect(!FileManager.default.fileExists(atPath: "\(daemon.inbox)/broken.batch.json"))
            let record = try daemon.record(.failed, "broken")
            #expect(record["code"]?.stringValue == "invalid_ticket")
            #expect(record["message"]?.stringValue?.contains("\"face\"") == true, "\(record)")
            #expect(await server.ledger().billedSubmits == 2)
            await daemon.expectClean()
        }
    }
}
