import FileSystem
import Foundation
import HotFolder
import StrictJSON
import Testing

@Suite("HostLeases: leases in a shared inbox, aged on the share's clock")
struct HostLeasesTests {
    func lease(_ owner: String, rate: Int = 20) -> HostLease {
        HostLease(
            owner: owner,
            host: String(owner.prefix { $0 != ":" }),
            pid: 42,
            interval: .seconds(30),
            takeoverAfter: .seconds(300),
            requestsPerMinute: rate,
            startedAt: Date(timeIntervalSince1970: 1_800_000_000),
            renewedAt: Date(timeIntervalSince1970: 1_800_000_030)
        )
    }

    /// Sets a file's modification time, as a share's server would have stamped an old write.
    func age(_ path: String, by seconds: TimeInterval) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: path)
    }

    @Test("a renewed lease is seen by every host, fresh, with what its writer said about itself")
    func renewedLeaseIsSeen() throws {
        let fixture = try ClaimFixture()
        let a = HostLeases(inboxRoot: fixture.inbox, owner: "alpha:/var/lib/facedrop")
        let b = HostLeases(inboxRoot: fixture.inbox + "/", owner: "beta:/var/lib/facedrop")
        try a.renew(lease("alpha:/var/lib/facedrop", rate: 20))
        try b.renew(lease("beta:/var/lib/facedrop", rate: 30))
        let seen = try a.seen()
        #expect(Set(seen.map(\.lease.owner)) == ["alpha:/var/lib/facedrop", "beta:/var/lib/facedrop"])
        #expect(seen.allSatisfy { $0.age < .seconds(5) && !$0.isDead(takeoverAfter: .seconds(300)) })
        #expect(seen.first { $0.lease.host == "beta" }?.lease.requestsPerMinute == 30)
        #expect(seen.first { $0.lease.host == "beta" }?.lease == lease("beta:/var/lib/facedrop", rate: 30))
        // Only the leases and this host's clock file: nothing else is left in hosts/.
        let names = try FileManager.default.contentsOfDirectory(atPath: a.folder).sorted()
        #expect(names.filter { !$0.hasPrefix(".clock-") } == [a.leaseName, b.leaseName].sorted())
    }

    @Test("a lease the share stamped long ago is as old as that on the share's clock, and dead past takeover_after")
    func oldLeaseIsDead() throws {
        let fixture = try ClaimFixture()
        let a = HostLeases(inboxRoot: fixture.inbox, owner: "alpha:/s")
        let b = HostLeases(inboxRoot: fixture.inbox, owner: "beta:/s")
        try a.renew(lease("alpha:/s"))
        try b.renew(lease("beta:/s"))
        try age("\(b.folder)/\(b.leaseName)", by: 400)
        let beta = try #require(try a.seen().first { $0.lease.owner == "beta:/s" })
        #expect(beta.age > .seconds(395) && beta.age < .seconds(410), "\(beta.age)")
        #expect(beta.isDead(takeoverAfter: .seconds(300)))
        #expect(!beta.isDead(takeoverAfter: .seconds(500)))
        // Renewing makes it fresh again.
        try b.renew(lease("beta:/s"))
        #expect(try a.seen().first { $0.lease.owner == "beta:/s" }?.isDead(takeoverAfter: .seconds(300)) == false)
    }

    @Test("facedrop status reads the share's clock with a file of its own, never the daemon's (whose temporary file it would remove)")
    func statusReadsTheClockWithAFileOfItsOwn() throws {
        let fixture = try ClaimFixture()
        let daemon = HostLeases(inboxRoot: fixture.inbox, owner: "alpha:/s")
        let status = HostLeases(inboxRoot: fixture.inbox, owner: "alpha:/s", reader: .status)
        _ = try daemon.shareNow()
        _ = try status.shareNow()
        let clocks = try FileManager.default.contentsOfDirectory(atPath: daemon.folder).filter { $0.hasPrefix(".clock-") }.sorted()
        #expect(clocks == [".clock-\(daemon.leaseName.dropLast(5))", ".clock-\(daemon.leaseName.dropLast(5))-status"])
    }

    @Test("the share's clock is the time the share stamps on a fresh write, whatever the lease says of its writer's clock")
    func shareClockIsTheFilesTime() throws {
        let fixture = try ClaimFixture()
        let a = HostLeases(inboxRoot: fixture.inbox, owner: "alpha:/s")
        var skewed = lease("alpha:/s")
        // A host whose clock is a day behind: its renewed_at says so, but the age does not depend on it.
        skewed.renewedAt = Date().addingTimeInterval(-86_400)
        try a.renew(skewed)
        let now = try a.shareNow()
        #expect(abs(now.timeIntervalSinceNow) < 5)
        #expect(try a.seen().first?.age ?? .seconds(999) < .seconds(5))
    }

    @Test("lease names: one per owner, from a safe host name, never hidden or a path")
    func leaseNames() {
        let one = HostLeases.leaseName(owner: "render-1.example:/var/lib/facedrop")
        let two = HostLeases.leaseName(owner: "render-1.example:/srv/facedrop-2")
        #expect(one.hasPrefix("render-1.example-") && one.hasSuffix(".json"))
        #expect(one != two)
        #expect(!HostLeases.leaseName(owner: "../../etc:/x").contains("/"))
        #expect(!HostLeases.leaseName(owner: ".hidden:/x").hasPrefix("."))
        #expect(HostLeases.leaseName(owner: ":/x").hasPrefix("host-"))
    }

    @Test("files that are not leases are left out, and claims are counted by the owner their record names")
    func strangersAndClaims() throws {
        let fixture = try ClaimFixture()
        let a = HostLeases(inboxRoot: fixture.inbox, owner: "alpha:/s")
        try a.renew(lease("alpha:/s"))
        try fixture.write(".facedrop/hosts/junk.json", "{}")
        try fixture.write(".facedrop/hosts/notes.txt", "hello")
        #expect(try a.seen().map(\.lease.owner) == ["alpha:/s"])

        _ = try fixture.claimer(owner: "alpha:/s").claim(try fixture.dropJob("anna"))
        _ = try fixture.claimer(owner: "alpha:/s").claim(try fixture.dropJob("ben"))
        _ = try fixture.claimer(owner: "beta:/s").claim(try fixture.dropJob("carl"))
        #expect(a.claimsByOwner() == ["alpha:/s": 2, "beta:/s": 1])
    }
}
