import Foundation
import Journal
import Scheduling
import ServiceMetrics
import Synchronization

/// Sets the gauges read from the journal and the credit monitor, before each metrics export.
///
/// A job count that fell to nothing is set to 0 once, not left at its last value: a series stays at the figure it
/// was last given, and a queue that emptied must say so.
package final class MetricsGauges: Sendable {
    private struct JobSeries: Hashable {
        var state: JobState
        var inbox: String
        var model: String?
    }

    private let journal: JobJournal
    private let credits: CreditsMonitor
    private let inboxes: @Sendable () -> [String]
    private let reported = Mutex<Set<JobSeries>>([])

    init(journal: JobJournal, credits: CreditsMonitor, inboxes: @escaping @Sendable () -> [String]) {
        self.journal = journal
        self.credits = credits
        self.inboxes = inboxes
    }

    /// Reads the journal's unfinished jobs, the credit balance and the spend, and sets their gauges.
    package func refresh() async {
        if let counts = try? journal.unfinishedCounts() {
            let current = Dictionary(counts.map { (JobSeries(state: $0.state, inbox: $0.inbox, model: $0.model), $0.count) }, uniquingKeysWith: +)
            let gone = reported.withLock { reported in
                let gone = reported.subtracting(current.keys)
                reported = Set(current.keys)
                return gone
            }
            for series in gone { DaemonMetrics.setJobs(0, state: series.state.rawValue, inbox: series.inbox, model: series.model) }
            for (series, count) in current {
                DaemonMetrics.setJobs(count, state: series.state.rawValue, inbox: series.inbox, model: series.model)
            }
        }
        if let remaining = await credits.state().remaining { DaemonMetrics.setCreditsRemaining(remaining) }
        if let totals = try? journal.spendTotals(at: Date()) {
            for inbox in Set(inboxes()).union(totals.keys) {
                let spent = totals[inbox] ?? SpendTotals()
                DaemonMetrics.setSpend(spent.today, inbox: inbox, period: "day")
                DaemonMetrics.setSpend(spent.thisMonth, inbox: inbox, period: "month")
            }
        }
    }
}
