import CoreMetrics
package import Foundation

/// facedrop's metrics: every name and label in one place, and one call per event.
///
/// The calls go through swift-metrics' global API, so a process that never bootstraps a metrics system (the tests,
/// `facedrop generate`, a daemon with no `[metrics]` table) records into swift-metrics' no-op handlers for the cost
/// of a lookup, and the modules that record (`SegmindAPI`, `Daemon`) know nothing of Prometheus. `facedrop run`
/// bootstraps a Prometheus registry once per process (`MetricsExporter`).
///
/// Names follow Prometheus' conventions: the `facedrop_` prefix, the unit in the name, `_total` on counters.
package enum DaemonMetrics {
    // MARK: Names

    /// Gauge: unfinished jobs in the journal by `state`, `inbox` and `model` (`unknown` before a sidecar named one).
    package static let jobs = "facedrop_jobs"
    /// Counter: jobs that ended, by `inbox`, `model` and `outcome` (`done`, `failed`, `cancelled`).
    package static let jobsFinished = "facedrop_jobs_finished_total"
    /// Counter: answers from Segmind by `endpoint` (`submit`, `poll`, `result`, `download`, `credits`, `upload`)
    /// and HTTP `status`.
    package static let segmindRequests = "facedrop_segmind_requests_total"
    /// Counter: 429 answers (too many requests) by `endpoint`.
    package static let segmindRateLimited = "facedrop_segmind_rate_limited_total"
    /// Histogram: seconds from Segmind finishing a request (its submission plus the run time it reports) until a
    /// poll of facedrop's saw it finished.
    package static let pollLag = "facedrop_poll_lag_seconds"
    /// Gauge: the account's credits (USD) as last reported by Segmind; absent until a balance is known.
    package static let creditsRemaining = "facedrop_credits_remaining_usd"
    /// Gauge: USD spent and in flight (estimates of jobs not yet booked) by `inbox` and `period` (`day`, `month`; UTC),
    /// as the spending limits count them.
    package static let spend = "facedrop_spend_usd"
    /// Counter: hooks that failed, by `inbox` and `hook`.
    package static let hookFailures = "facedrop_hook_failures_total"

    /// The buckets of ``pollLag``, in seconds: a well planned poll sees a finish within a second or two; a minute is
    /// a poll planned far too late.
    package static let pollLagBuckets: [Double] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120]

    // MARK: Events

    /// A job ended `outcome` (`done`, `failed`, `cancelled`: its terminal state).
    package static func jobFinished(inbox: String, model: String?, outcome: String) {
        Counter(label: jobsFinished, dimensions: [("inbox", inbox), ("model", model ?? "unknown"), ("outcome", outcome)]).increment()
    }

    /// Segmind (or the host of an output) answered with `status`.
    package static func segmindAnswered(endpoint: String, status: Int) {
        Counter(label: segmindRequests, dimensions: [("endpoint", endpoint), ("status", "\(status)")]).increment()
        if status == 429 { Counter(label: segmindRateLimited, dimensions: [("endpoint", endpoint)]).increment() }
    }

    /// A poll saw a request finished at `seenAt`; Segmind finished it `runTime` seconds after `submittedAt` by its
    /// own account. Nothing is recorded when either is unknown.
    package static func finishSeen(submittedAt: Date?, runTime: Double?, seenAt: Date = Date()) {
        guard let submittedAt, let runTime, runTime >= 0 else { return }
        let lag = max(0, seenAt.timeIntervalSince(submittedAt) - runTime)
        Recorder(label: pollLag, dimensions: [], aggregate: true).record(lag)
    }

    /// A hook of `inbox` failed.
    package static func hookFailed(inbox: String, hook: String) {
        Counter(label: hookFailures, dimensions: [("inbox", inbox), ("hook", hook)]).increment()
    }

    // MARK: Gauges, refreshed before each export

    /// Sets the count of unfinished jobs in `state` of `inbox` and `model`.
    package static func setJobs(_ count: Int, state: String, inbox: String, model: String?) {
        Gauge(label: jobs, dimensions: [("state", state), ("inbox", inbox), ("model", model ?? "unknown")]).record(count)
    }

    /// Sets the account's remaining credits.
    package static func setCreditsRemaining(_ credits: Double) {
        Gauge(label: creditsRemaining).record(credits)
    }

    /// Sets what `inbox` spent and has in flight in `period` (`day` or `month`).
    package static func setSpend(_ credits: Double, inbox: String, period: String) {
        Gauge(label: spend, dimensions: [("inbox", inbox), ("period", period)]).record(credits)
    }
}
