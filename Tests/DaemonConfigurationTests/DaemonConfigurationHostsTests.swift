import DaemonConfiguration
import Testing

@Suite("[hosts] and shared: several hosts on one inbox")
struct DaemonConfigurationHostsTests {
    @Test("left out: no inbox is shared, and leases would be renewed every 30 s and taken over after 5 min")
    func defaults() throws {
        let configuration = try ConfigurationFixtures.parse(ConfigurationFixtures.minimalInbox)
        #expect(configuration.hosts == HostsConfiguration(leaseInterval: .seconds(30), takeoverAfter: .seconds(300)))
        #expect(configuration.inboxes.allSatisfy { !$0.shared })
        #expect(configuration.description.contains("shared = false"))
    }

    @Test("set, every key is read and described")
    func read() throws {
        let configuration = try ConfigurationFixtures.parse(
            """
            [hosts]
            lease_interval = 10
            takeover_after = 120
            account_requests_per_minute = 50
            \(ConfigurationFixtures.minimalInbox)
            shared = true
            """
        )
        #expect(configuration.hosts == HostsConfiguration(leaseInterval: .seconds(10), takeoverAfter: .seconds(120), accountRequestsPerMinute: 50))
        #expect(configuration.inboxes.first?.shared == true)
        #expect(configuration.description.contains("lease_interval = 10 s, takeover_after = 120 s, account_requests_per_minute = 50"))
        #expect(configuration.description.contains("shared = true (a lease in .facedrop/hosts/"))
    }

    @Test("a takeover sooner than three lease intervals, and wrong values, are listed problems")
    func refused() throws {
        let tooSoon = try ConfigurationFixtures.problems(
            """
            [hosts]
            lease_interval = 60
            takeover_after = 120
            \(ConfigurationFixtures.minimalInbox)
            """
        )
        #expect(tooSoon.count == 1)
        #expect(tooSoon.contains { $0.contains("[hosts] takeover_after") && $0.contains("at least 3 lease intervals (180 s)") })
        let wrong = try ConfigurationFixtures.problems(
            """
            [hosts]
            lease_interval = 0
            account_requests_per_minute = 0
            takover_after = 600
            \(ConfigurationFixtures.minimalInbox)
            shared = "yes"
            """
        )
        #expect(wrong.contains { $0.contains("[hosts] lease_interval") })
        #expect(wrong.contains { $0.contains("[hosts] account_requests_per_minute") })
        #expect(wrong.contains { $0.contains("[hosts] unknown key \"takover_after\"") })
        #expect(wrong.contains { $0.contains("shared") && $0.contains("true or false") })
    }
}
