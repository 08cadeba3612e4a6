import Clocks
import CoreMetrics
import FacedropTestSupport
import Foundation
import Logging
import MetricsExporter
import Prometheus
import ServiceLifecycleTestKit
import ServiceMetrics
import Synchronization
import Testing

@Suite("The metrics service: the textfile at start, every interval and at shutdown")
struct MetricsServiceTests {
    @Test("each write refreshes the gauges first and parses; the interval runs on the injected clock; the stop writes the last figures")
    func textfileEveryInterval() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.appending("facedrop.prom")
        let (registry, factory) = MetricsRegistry.make()
        let finished = factory.makeCounter(label: DaemonMetrics.jobsFinished, dimensions: [("inbox", "a"), ("model", "flux-pulid"), ("outcome", "done")])
        let refreshes = Mutex(0)
        let queued = factory.makeRecorder(
            label: DaemonMetrics.jobs,
            dimensions: [("state", "claimed"), ("inbox", "a"), ("model", "unknown")],
            aggregate: false
        )
        let clock = TestClock()
        let service = MetricsService(
            registry: registry,
            textfile: path,
            interval: .seconds(15),
            address: nil,
            refresh: {
                queued.record(
                    Int64(
                        refreshes.withLock {
                            $0 += 1
                            return $0
                        }
                    )
                )
            },
            clock: clock,
            logger: Logger(label: "test")
        )
        func read() -> PrometheusText? {
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { try? PrometheusText($0) }
        }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup { group in
                group.addTask { try await service.run() }
                #expect(await eventually { read()?.value(DaemonMetrics.jobsFinished) == 0 }, "no textfile at start")
                #expect(read()?.value(DaemonMetrics.jobs, ["state": "claimed"]) == 1, "the gauges were not refreshed before the write")

                finished.increment(by: 1)
                #expect(await clock.waitForSleeper())
                await clock.advance(by: .seconds(14))
                try await Task.sleep(for: .milliseconds(100))
                #expect(read()?.value(DaemonMetrics.jobsFinished) == 0, "written before the interval was over")
                #expect(await clock.advance(by: .seconds(1), until: { read()?.value(DaemonMetrics.jobsFinished) == 1 }), "not written after the interval")
                #expect(read()?.value(DaemonMetrics.jobs, ["state": "claimed"]) == 2)

                finished.increment(by: 1)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(read()?.value(DaemonMetrics.jobsFinished) == 2, "the stop did not write the last figures")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["facedrop.prom"])
    }
}
