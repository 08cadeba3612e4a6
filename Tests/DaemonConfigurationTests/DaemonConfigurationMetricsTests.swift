import DaemonConfiguration
import Testing

@Suite("[metrics]: the node_exporter textfile and the GET /metrics endpoint")
struct DaemonConfigurationMetricsTests {
    @Test("left out, no metrics are kept")
    func off() throws {
        let configuration = try ConfigurationFixtures.parse(ConfigurationFixtures.minimalInbox)
        #expect(configuration.metrics == MetricsConfiguration())
        #expect(!configuration.metrics.isEnabled)
        #expect(configuration.description.contains("[metrics]\n  off"))
    }

    @Test("set, every key is read and described")
    func read() throws {
        let configuration = try ConfigurationFixtures.parse(
            """
            [metrics]
            textfile = "/var/lib/node_exporter/textfile/facedrop.prom"
            interval = 30
            listen = "127.0.0.1:9469"
            \(ConfigurationFixtures.minimalInbox)
            """
        )
        #expect(
            configuration.metrics
                == MetricsConfiguration(
                    textfile: "/var/lib/node_exporter/textfile/facedrop.prom",
                    interval: .seconds(30),
                    listen: .init(host: "127.0.0.1", port: 9469)
                )
        )
        #expect(configuration.metrics.isEnabled)
        #expect(configuration.description.contains("textfile = /var/lib/node_exporter/textfile/facedrop.prom every 30 s; listen = 127.0.0.1:9469"))
    }

    @Test("an address other machines reach needs allow_remote")
    func remote() throws {
        let refused = try ConfigurationFixtures.problems(
            """
            [metrics]
            listen = "0.0.0.0:9469"
            \(ConfigurationFixtures.minimalInbox)
            """
        )
        #expect(refused.count == 1)
        #expect(refused.contains { $0.contains("[metrics] listen") && $0.contains("not a loopback address") && $0.contains("allow_remote") })
        let allowed = try ConfigurationFixtures.parse(
            """
            [metrics]
            listen = "0.0.0.0:9469"
            allow_remote = true
            \(ConfigurationFixtures.minimalInbox)
            """
        )
        #expect(allowed.metrics.listen == .init(host: "0.0.0.0", port: 9469))
        #expect(allowed.description.contains("reachable from other machines"))
    }

    @Test("wrong values are listed problems, all at once")
    func refused() throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [metrics]
            textfile = "/var/lib/node_exporter/textfile/facedrop.txt"
            interval = 0.5
            listen = "localhost:http"
            allow_remote = "yes"
            port = 9469
            \(ConfigurationFixtures.minimalInbox)
            """
        )
        #expect(problems.count == 5)
        #expect(problems.contains { $0.contains("[metrics] textfile") && $0.contains(".prom") })
        #expect(problems.contains { $0.contains("[metrics] interval") && $0.contains("at least 1") })
        #expect(problems.contains { $0.contains("[metrics] listen") && $0.contains("IPv4 address and a port") })
        #expect(problems.contains { $0.contains("[metrics] allow_remote") && $0.contains("true or false") })
        #expect(problems.contains { $0.contains("[metrics] unknown key \"port\"") })
    }

    @Test(
        "a relative textfile path and malformed addresses are refused",
        arguments: ["127.0.0.1", "127.0.0.1:70000", "127.0.0:9469", "[::1]:9469", "127.0.0.256:1"]
    )
    func addresses(listen: String) throws {
        let problems = try ConfigurationFixtures.problems(
            """
            [metrics]
            textfile = "metrics/facedrop.prom"
            listen = "\(listen)"
            \(ConfigurationFixtures.minimalInbox)
            """
        )
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("[metrics] textfile") && $0.contains("absolute path") })
        #expect(problems.contains { $0.contains("[metrics] listen") })
    }
}
