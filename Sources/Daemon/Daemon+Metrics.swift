import DaemonConfiguration
import Foundation
import Journal
import SegmindAPI
import ServiceMetrics
import Synchronization

extension Daemon {
    /// The gauges of this daemon's journal and credits, for the metrics service to refresh before each export.
    package func metricsGauges() -> MetricsGauges {
        MetricsGauges(journal: journal, credits: credits, inboxes: { [self] in configuration.withLock { $0.inboxes.map(\.name) } })
    }
}

extension DaemonMetrics {
    /// A job reached `state`, one of the terminal ones.
    static func finished(_ record: JobRecord, as state: JobState) {
        jobFinished(inbox: record.inbox, model: record.model, outcome: state.rawValue)
    }

    /// A poll found `record`'s request finished with `result`: the lag from Segmind's finish, as far as its reported
    /// run time tells (`total_time`, else `inference_time` plus `queue_time`).
    static func finishSeen(_ record: JobRecord, result: GenerationResult) {
        let metrics = result.metrics
        finishSeen(submittedAt: record.submittedAt, runTime: metrics.totalTime ?? metrics.inferenceTime.map { $0 + (metrics.queueTime ?? 0) })
    }
}
