import CoreMetrics
import FacedropTestSupport
import MetricsExporter
import Prometheus
import ServiceMetrics
import Testing

@Suite("facedrop's metrics as Prometheus text, and the checker the tests read them with")
struct PrometheusTextTests {
    @Test("the registry's text parses: labelled counters and gauges, escaped label values, the poll lag histogram's buckets")
    func registryText() throws {
        let (registry, factory) = MetricsRegistry.make()
        factory.makeCounter(label: DaemonMetrics.jobsFinished, dimensions: [("inbox", "portraits \"A\"\\B"), ("model", "flux-pulid"), ("outcome", "done")])
            .increment(by: 2)
        factory.makeRecorder(label: DaemonMetrics.jobs, dimensions: [("state", "claimed"), ("inbox", "portraits"), ("model", "unknown")], aggregate: false)
            .record(Int64(7))
        let lag = factory.makeRecorder(label: DaemonMetrics.pollLag, dimensions: [], aggregate: true)
        lag.record(0.3)
        lag.record(45.0)
        let text = try PrometheusText(String(decoding: registry.emitToBuffer(), as: UTF8.self))
        #expect(text.types[DaemonMetrics.jobsFinished] == "counter")
        #expect(text.types[DaemonMetrics.jobs] == "gauge")
        #expect(text.types[DaemonMetrics.pollLag] == "histogram")
        #expect(text.value(DaemonMetrics.jobsFinished, ["inbox": "portraits \"A\"\\B", "outcome": "done"]) == 2)
        #expect(text.value(DaemonMetrics.jobs, ["state": "claimed"]) == 7)
        func bucket(_ bound: Double) -> Double? {
            text.samples.first { $0.name == "\(DaemonMetrics.pollLag)_bucket" && Double($0.labels["le"] ?? "") == bound }?.value
        }
        #expect(bucket(0.25) == 0)
        #expect(bucket(0.5) == 1)
        #expect(bucket(30) == 1)
        #expect(bucket(60) == 2)
        #expect(text.value("\(DaemonMetrics.pollLag)_bucket", ["le": "+Inf"]) == 2)
        #expect(text.value("\(DaemonMetrics.pollLag)_count") == 2)
        let bounds = text.samples.filter { $0.name == "\(DaemonMetrics.pollLag)_bucket" }.compactMap { Double($0.labels["le"] ?? "") }
        #expect(bounds == DaemonMetrics.pollLagBuckets + [.infinity])
    }

    @Test(
        "the checker refuses malformed text",
        arguments: [
            "facedrop_jobs 1\n",  // no TYPE
            "# TYPE facedrop_jobs gauge\nfacedrop_jobs one\n",
            "# TYPE facedrop_jobs gauge\nfacedrop_jobs{inbox=\"a\\x\"} 1\n",
            "# TYPE facedrop_jobs gauge\nfacedrop_jobs{inbox=a} 1\n",
            "# TYPE 1facedrop gauge\n1facedrop 1\n",
            "# TYPE facedrop_jobs gauge\nfacedrop_jobs 1",  // no final line feed
            "# TYPE facedrop_jobs_total counter\nfacedrop_jobs_total -1\n",
            "# TYPE lag histogram\nlag_bucket{le=\"1\"} 2\nlag_bucket{le=\"+Inf\"} 1\nlag_sum 1\nlag_count 1\n",
        ]
    )
    func refuses(text: String) {
        #expect(throws: PrometheusText.Problem.self) { try PrometheusText(text) }
    }
}
