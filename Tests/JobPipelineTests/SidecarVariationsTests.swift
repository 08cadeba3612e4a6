import JobPipeline
import StrictJSON
import Testing

@Suite("Variations: one sidecar, several jobs, reproducible seeds")
struct SidecarVariationsTests {
    static func sidecar(_ text: String) throws -> [String: JSONValue] {
        try #require(try JSONParser().parse(Array(text.utf8)).objectValue)
    }

    @Test("no variations: nil, and the sidecar is a plain one")
    func none() throws {
        let plain = try Self.sidecar(#"{"prompt":"a","facedrop":{"priority":2}}"#)
        #expect(!SidecarVariations.requested(in: plain))
        #expect(try SidecarVariations.expand(plain, stem: "x") == nil)
    }

    @Test("a count: the sidecar's seed and the next ones, the variations key gone, other options kept")
    func countWithSeed() throws {
        let jobs = try #require(try SidecarVariations.expand(Self.sidecar(#"{"prompt":"a","seed":100,"facedrop":{"variations":3,"priority":2}}"#), stem: "x"))
        #expect(jobs.map(\.name) == ["x-v1", "x-v2", "x-v3"])
        #expect(jobs.map { $0.sidecar["seed"] } == [.integer(100), .integer(101), .integer(102)])
        #expect(jobs.allSatisfy { $0.sidecar["facedrop"] == ["priority": 2] && $0.sidecar["prompt"] == "a" })
    }

    @Test("without a seed (or -1, random), each variation gets one derived from the stem: the same drop, the same seeds")
    func derivedSeeds() throws {
        let first = try #require(try SidecarVariations.expand(Self.sidecar(#"{"prompt":"a","seed":-1,"facedrop":{"variations":2}}"#), stem: "lisa"))
        let again = try #require(try SidecarVariations.expand(Self.sidecar(#"{"prompt":"a","facedrop":{"variations":2}}"#), stem: "lisa"))
        #expect(first.map { $0.sidecar["seed"] } == again.map { $0.sidecar["seed"] })
        #expect(first[0].sidecar["seed"] != first[1].sidecar["seed"])
        #expect(first[0].sidecar["facedrop"] == nil, "an options object left empty goes")
        let other = try #require(try SidecarVariations.expand(Self.sidecar(#"{"facedrop":{"variations":1}}"#), stem: "anna"))
        #expect(other[0].sidecar["seed"] != first[0].sidecar["seed"])
        #expect((0..<(1 << 31)).contains(SidecarVariations.derivedSeed(stem: "lisa", number: 1)))
    }

    @Test("a list: each object overrides the sidecar's keys, facedrop options merged; unset seeds derived")
    func list() throws {
        let jobs = try #require(
            try SidecarVariations.expand(
                Self.sidecar(
                    #"{"prompt":"base","num_steps":20,"facedrop":{"priority":1,"variations":[{"prompt":"beach"},{"prompt":"snow","seed":7,"facedrop":{"priority":5}}]}}"#
                ),
                stem: "x"
            )
        )
        #expect(jobs.count == 2)
        #expect(jobs[0].sidecar["prompt"] == "beach")
        #expect(jobs[0].sidecar["num_steps"] == 20)
        #expect(jobs[0].sidecar["seed"] == .integer(SidecarVariations.derivedSeed(stem: "x", number: 1)))
        #expect(jobs[0].sidecar["facedrop"] == ["priority": 1])
        #expect(jobs[1].sidecar["prompt"] == "snow")
        #expect(jobs[1].sidecar["seed"] == 7)
        #expect(jobs[1].sidecar["facedrop"] == ["priority": 5])
    }

    @Test(
        "what cannot be expanded is refused with the reason",
        arguments: [
            #"{"facedrop":{"variations":0}}"#, #"{"facedrop":{"variations":101}}"#, #"{"facedrop":{"variations":"3"}}"#,
            #"{"facedrop":{"variations":[]}}"#, #"{"facedrop":{"variations":[1]}}"#,
            #"{"facedrop":{"variations":[{"facedrop":{"variations":2}}]}}"#,
        ]
    )
    func refused(_ text: String) throws {
        let sidecar = try Self.sidecar(text)
        #expect(SidecarVariations.requested(in: sidecar))
        #expect(throws: SidecarVariations.Problem.self) { try SidecarVariations.expand(sidecar, stem: "x") }
    }
}
