import DedicatedThreads
package import Logging
package import Prometheus
import ServiceLifecycle

/// Exports the process's metrics while the daemon runs: rewrites the node_exporter textfile every `interval` and
/// once more when it stops, and serves `GET /metrics` when an address is given.
///
/// Before each export it calls `refresh`, which sets the gauges read from elsewhere (the journal's job counts,
/// credits, spend): a few indexed queries per export, nothing per job step. The interval sleeps on the injected
/// clock (`TimerClock` in the daemon), so a textfile costs the process one wake-up per interval; without a textfile
/// and an address the service is not started at all and an idle daemon does not wake for metrics.
///
/// In a `ServiceGroup` it belongs before the daemon: services stop in reverse order, so the last textfile is written
/// after the daemon stopped and holds its final counts.
package struct MetricsService: Service, CustomStringConvertible {
    /// Where `GET /metrics` is served.
    package struct Address: Sendable, Hashable {
        package var host: String
        package var port: UInt16

        package init(host: String, port: UInt16) {
            self.host = host
            self.port = port
        }
    }

    let registry: PrometheusCollectorRegistry
    let textfile: MetricsTextfile?
    let interval: Duration
    let address: Address?
    let refresh: @Sendable () async -> Void
    let clock: any Clock<Duration>
    let logger: Logger

    package init(
        registry: PrometheusCollectorRegistry,
        textfile: String?,
        interval: Duration,
        address: Address?,
        refresh: @escaping @Sendable () async -> Void,
        clock: any Clock<Duration> = TimerClock(),
        logger: Logger
    ) {
        self.registry = registry
        self.textfile = textfile.map(MetricsTextfile.init(path:))
        self.interval = interval
        self.address = address
        self.refresh = refresh
        self.clock = clock
        self.logger = logger
    }

    package var description: String { "MetricsService" }

    /// The metrics as Prometheus text, the gauges refreshed first.
    package func render() async -> [UInt8] {
        await refresh()
        return registry.emitToBuffer()
    }

    package func run() async throws {
        let server: MetricsHTTPServer?
        if let address {
            server = try MetricsHTTPServer(host: address.host, port: address.port, render: { [self] in await render() })
        } else {
            server = nil
        }
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let server, let address {
                    group.addTask { try await server.run() }
                    group.addTask { await announce(server, host: address.host) }
                }
                if let textfile {
                    group.addTask { await writeEvery(interval, to: textfile) }
                }
                // The first failure ends the group at once (an address that cannot be bound); waitForAll would wait
                // for the others first.
                for try await _ in group {}
            }
        }
        // The last figures, after the daemon (which stops first) has ended.
        if let textfile, let problem = await write(to: textfile) {
            logger.warning("the metrics textfile cannot be written", metadata: ["path": "\(textfile.path)", "error": "\(problem)"])
        }
    }

    // MARK: Implementation

    /// Logs the endpoint's URL once the server listens (port 0 becomes the kernel's choice). It looks every 10 ms
    /// for up to 5 s at start, and ends at once when the group is cancelled because the address could not be bound.
    private func announce(_ server: MetricsHTTPServer, host: String) async {
        for _ in 0..<500 {
            if let port = await server.listeningPort() {
                logger.notice("metrics are served", metadata: ["url": "http://\(host):\(port)/metrics"])
                return
            }
            do {
                try await clock.sleep(for: .milliseconds(10))
            } catch {
                return
            }
        }
    }

    /// Writes the textfile until cancelled; a failure is logged when it starts and when it ends, not every interval.
    private func writeEvery(_ interval: Duration, to textfile: MetricsTextfile) async {
        var failing = false
        while !Task.isCancelled {
            let problem = await write(to: textfile)
            if let problem, !failing {
                logger.warning("the metrics textfile cannot be written", metadata: ["path": "\(textfile.path)", "error": "\(problem)"])
            } else if problem == nil, failing {
                logger.notice("the metrics textfile is written again", metadata: ["path": "\(textfile.path)"])
            }
            failing = problem != nil
            do {
                try await clock.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    /// Renders and writes the textfile; what went wrong, or nil.
    private func write(to textfile: MetricsTextfile) async -> String? {
        let text = await render()
        do {
            try textfile.write(text)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
