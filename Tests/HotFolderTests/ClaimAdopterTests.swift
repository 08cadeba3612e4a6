import FileSystem
import Foundation
import HotFolder
import Testing

@Suite("ClaimAdopter: the claims of dead hosts, adopted by one rename")
struct ClaimAdopterTests {
    func lease(_ owner: String) -> HostLease {
        HostLease(
            owner: owner,
            host: "h",
            pid: 1,
            interval: .seconds(1),
            takeoverAfter: .seconds(3),
            requestsPerMinute: 10,
            startedAt: Date(),
            renewedAt: Date()
        )
    }

    func age(_ path: String, by seconds: TimeInterval) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: path)
    }

    /// An inbox with a claim by `dead` (lease 400 s old), one by `alive` (fresh lease), one by `gone` (no lease, claim
    /// 400 s old), one by `fresh` (no lease, a new claim) and one of this host's own.
    func inboxWithClaims() throws -> (ClaimFixture, [String: String]) {
        let fixture = try ClaimFixture()
        var claims: [String: String] = [:]
        for owner in ["dead", "alive", "gone", "fresh", "me"] {
            guard case .claimed(let files) = try fixture.claimer(owner: owner).claim(try fixture.dropJob("job-\(owner)")) else {
                throw CocoaError(.fileNoSuchFile)
            }
            claims[owner] = files.folder
        }
        for owner in ["dead", "alive", "me"] { try HostLeases(inboxRoot: fixture.inbox, owner: owner).renew(lease(owner)) }
        try age("\(fixture.inbox)/.facedrop/hosts/\(HostLeases.leaseName(owner: "dead"))", by: 400)
        try age("\(claims["gone"]!)/claim.json", by: 400)
        return (fixture, claims)
    }

    @Test("dead: a lease older than takeover_after, or no lease and a claim that old; never a live host's or this host's own")
    func deadClaims() throws {
        let (fixture, claims) = try inboxWithClaims()
        let adopter = ClaimAdopter(claimer: fixture.claimer(owner: "me"))
        let dead = try adopter.deadClaims(takeoverAfter: .seconds(300))
        #expect(Set(dead.map(\.folder)) == [claims["dead"]!, claims["gone"]!])
        #expect(dead.first { $0.owner == "dead" }?.leaseAge.map { $0 > .seconds(395) } == true)
        #expect(dead.first { $0.owner == "gone" }?.leaseAge == nil)
        #expect(try adopter.deadClaims(takeoverAfter: .seconds(500)).isEmpty)
        // A claim folder this host's journal knows is its own: left out (and not read).
        #expect(try adopter.deadClaims(takeoverAfter: .seconds(300)) { $0 == claims["dead"]! }.map(\.folder) == [claims["gone"]!])
    }

    @Test("of two hosts adopting one claim, one wins; the claim keeps its ID, names the winner, and the loser's owns() says no")
    func oneAdopterWins() throws {
        let (fixture, claims) = try inboxWithClaims()
        let me = ClaimAdopter(claimer: fixture.claimer(owner: "me"))
        let other = ClaimAdopter(claimer: fixture.claimer(owner: "alive"))
        let claim = try #require(try me.deadClaims(takeoverAfter: .seconds(300)).first { $0.owner == "dead" })
        let adopted = try #require(try me.adopt(claim))
        #expect(try other.adopt(claim) == nil, "a second rename of the same claim must lose")
        #expect(adopted.previousOwner == "dead")
        #expect(adopted.record.owner == "me")
        #expect(adopted.folder.hasPrefix(claims["dead"]! + "-"))
        #expect(adopted.isComplete)
        #expect(adopted.inputs.map(PathNames.last) == ["job-dead.jpg", "job-dead.json"])
        #expect(me.owns(adopted.folder))
        #expect(!other.owns(adopted.folder))
        // The dead host, back: its claim is gone from under the name it knows.
        #expect(!ClaimAdopter(claimer: fixture.claimer(owner: "dead")).owns(claims["dead"]!))
        #expect(ClaimAdopter(claimer: fixture.claimer(owner: "alive")).owns(claims["alive"]!))
    }

    @Test(
        "a claim another host has renamed and not yet re-recorded (the record still names the dead host) is that host's: not dead while its lease is fresh"
    )
    func adoptionInProgress() throws {
        let (fixture, claims) = try inboxWithClaims()
        let me = ClaimAdopter(claimer: fixture.claimer(owner: "me"))
        // "alive" is half-way through its adoption of the dead host's claim: renamed, record not rewritten.
        let midway = "\(claims["dead"]!)-\(JobClaimer.adoptionSuffix(owner: "alive"))"
        try FileManager.default.moveItem(atPath: claims["dead"]!, toPath: midway)
        #expect(try me.deadClaims(takeoverAfter: .seconds(300)).map(\.folder) == [claims["gone"]!])
        // Once its lease is old too, the claim is dead again, and adoptable under its adopter's name.
        try age("\(fixture.inbox)/.facedrop/hosts/\(HostLeases.leaseName(owner: "alive"))", by: 400)
        let dead = try me.deadClaims(takeoverAfter: .seconds(300))
        #expect(Set(dead.map(\.folder)) == [claims["alive"]!, midway, claims["gone"]!])
        #expect(dead.first { $0.folder == midway }?.owner == "alive")
        // A half-done adoption of this host's own (a run that stopped in that moment) is judged by its record: adopted
        // again.
        let mine = "\(claims["gone"]!)-\(JobClaimer.adoptionSuffix(owner: "me"))"
        try FileManager.default.moveItem(atPath: claims["gone"]!, toPath: mine)
        #expect(try me.deadClaims(takeoverAfter: .seconds(300)).contains { $0.folder == mine && $0.owner == "gone" })
        // A real adoption's name carries its adopter's tag.
        let alive = try #require(dead.first { $0.folder == claims["alive"]! })
        let taken = try #require(try me.adopt(alive))
        #expect(JobClaimer.adopterTag(ofClaimFolderName: PathNames.last(taken.folder)) == JobClaimer.adopterTag("me"))
        #expect(JobClaimer.adopterTag("me") != JobClaimer.adopterTag("alive"))
    }

    @Test("a claim whose files were not all moved in is incomplete; own claims with receipts the journal lacks are found")
    func incompleteAndUnjournaled() throws {
        let (fixture, claims) = try inboxWithClaims()
        let me = ClaimAdopter(claimer: fixture.claimer(owner: "me"))
        try FileManager.default.removeItem(atPath: "\(claims["gone"]!)/input/job-gone.json")
        let gone = try #require(try me.deadClaims(takeoverAfter: .seconds(300)).first { $0.owner == "gone" })
        #expect(try #require(try me.adopt(gone)).isComplete == false)

        #expect(try me.unjournaledClaims { _ in false }.isEmpty, "without receipts, the start-up sweep's to put back")
        try ClaimReceipt(step: .intent, owner: "me").write(into: claims["me"]!, in: try Folder.open(fixture.inbox))
        #expect(try me.unjournaledClaims { _ in false }.map(\.folder) == [claims["me"]!])
        #expect(try me.unjournaledClaims { _ in true }.isEmpty)
        // ...and the sweep leaves it alone, while it puts back the files of the incomplete claim adopted above.
        #expect(fixture.claimer(owner: "me").sweep(known: []) == ["\(fixture.inbox)/job-gone.jpg"])
        #expect(FileManager.default.fileExists(atPath: "\(claims["me"]!)/input/job-me.jpg"))
    }
}
