import JobPipeline
import StrictJSON
import Testing

@Suite("Batch tickets: many faces of a folder, each with its settings")
struct BatchTicketTests {
    @Test("JSON: defaults under each job's keys, facedrop options merged, names given or numbered")
    func json() throws {
        let ticket = try BatchTicket(
            Array(
                #"{"defaults":{"model":"flux-pulid","num_steps":20,"facedrop":{"priority":1}},"jobs":[{"face":"anna.jpg","prompt":"beach"},{"face":"ben.png","name":"ben-snow","prompt":"snow","num_steps":8,"facedrop":{"priority":3}}]}"#
                    .utf8
            ),
            stem: "team",
            csv: false
        )
        #expect(ticket.jobs.map(\.name) == ["team-1", "ben-snow"])
        #expect(ticket.jobs.map(\.face) == ["anna.jpg", "ben.png"])
        #expect(ticket.jobs[0].sidecar == ["model": "flux-pulid", "num_steps": 20, "facedrop": ["priority": 1], "prompt": "beach"])
        #expect(ticket.jobs[1].sidecar["num_steps"] == 8)
        #expect(ticket.jobs[1].sidecar["facedrop"] == ["priority": 3])
    }

    @Test("CSV: a header with face, quoted cells with commas and quotes, numbers and booleans typed, empty cells left out")
    func csv() throws {
        let text = "face,name,prompt,seed,num_steps,enhance\r\nanna.jpg,,\"anna, on a \"\"beach\"\"\",42,,true\r\nben.png,ben-2,snow,-1,8,false\r\n\r\n"
        let ticket = try BatchTicket(Array(text.utf8), stem: "t", csv: true)
        #expect(ticket.jobs.count == 2)
        #expect(ticket.jobs[0].name == "t-1")
        #expect(ticket.jobs[0].sidecar == ["prompt": "anna, on a \"beach\"", "seed": 42, "enhance": true])
        #expect(ticket.jobs[1].name == "ben-2")
        #expect(ticket.jobs[1].sidecar == ["prompt": "snow", "seed": -1, "num_steps": 8, "enhance": false])
    }

    @Test(
        "what cannot be a ticket is refused with the reason",
        arguments: [
            (#"[1]"#, false, "not a JSON object"), (#"{"jobs":[],"x":1}"#, false, "unknown key"), (#"{"jobs":[]}"#, false, "1 to 1000"),
            (#"{"jobs":[{"prompt":"a"}]}"#, false, "\"face\""), (#"{"jobs":[{"face":"../a.jpg"}]}"#, false, "\"face\""),
            (#"{"jobs":[{"face":"a.jpg","name":"x"},{"face":"b.jpg","name":"x"}]}"#, false, "used twice"),
            (#"{"jobs":[{"face":"a.jpg","name":"a/b"}]}"#, false, "plain name"), ("prompt\nx\n", true, "no face column"),
            ("face,prompt\n\"a.jpg,x\n", true, "not closed"), ("face\na.jpg,extra\n", true, "more cells"),
        ]
    )
    func refused(_ text: String, _ csv: Bool, _ reason: String) {
        do {
            _ = try BatchTicket(Array(text.utf8), stem: "t", csv: csv)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(reason), "\(error)")
        }
    }
}
