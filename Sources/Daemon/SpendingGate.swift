import DaemonConfiguration
import Foundation
import JobPipeline
import Journal
import Logging
import Outbox
import SegmindCatalog
import StrictJSON
import Synchronization

/// Keeps the spending limits (`[credits]` and `[[inbox]] daily_budget`, `monthly_budget`): no job is submitted
/// whose estimated cost would take the service or its inbox over a limit for the UTC day or month.
///
/// Anyone who can write to a shared inbox can spend the account's money, so the check sits right before the
/// paid POST and counts, besides the costs booked, the estimates of every job let through and not booked yet
/// (the journal's `spend` table). Jobs running at once, or caught by a `kill -9`, therefore cannot overrun a
/// budget together; only a job that costs more than its estimate can, by the difference.
///
/// A job over budget waits in `waitingForBudget` (``JobScheduler`` lets it go at the next UTC midnight or
/// when a reload changes the limits), or fails with `budget_exceeded` where the inbox says `over_budget =
/// "fail"`. Each limit reached writes one `warnings/<time>-budget-reached.json` per period.
final class SpendingGate: Sendable {
    /// What becomes of a job at the gate.
    enum Verdict: Sendable {
        /// The estimate is reserved: submit.
        case admitted
        /// Over budget: hold the job until `until` (the earliest rollover of a limit it exceeds) or a reload.
        case wait(until: Date)
        /// Over budget in an inbox that fails such jobs.
        case refused(JobFailure)
    }

    private let configuration: Mutex<DaemonConfiguration>
    private let journal: JobJournal
    private let logger: Logger
    private let now: @Sendable () -> Date

    init(_ configuration: DaemonConfiguration, journal: JobJournal, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = Mutex(configuration)
        self.journal = journal
        self.logger = logger
        self.now = now
    }

    /// A reload: new limits apply to the next job gated.
    func update(_ configuration: DaemonConfiguration) {
        self.configuration.withLock { $0 = configuration }
    }

    /// The estimate of a prepared request: the catalog's price (or `unknown_cost`) times the images.
    func estimate(_ prepared: PreparedRequest, catalog: ModelCatalog) -> CostEstimate {
        let unknownCost = configuration.withLock { $0.credits.unknownCost }
        guard let model = catalog.model(prepared.model) else {
            return CostEstimate(usd: unknownCost, images: 1, pricePerImage: unknownCost, isPriceKnown: false)
        }
        return CostEstimate(model: model, parameters: prepared.parameters, unknownCost: unknownCost)
    }

    /// The limits a job of `inbox` must fit: the service's and its inbox's.
    func limits(for inbox: String) -> [BudgetLimit] {
        let configuration = self.configuration.withLock { $0 }
        return Self.limits(configuration.credits.budget, scope: .service)
            + Self.limits(configuration.inboxes.first { $0.name == inbox }?.budget ?? SpendLimits(), scope: .inbox(inbox))
    }

    /// Gates one job: reserves its estimate, or says how it waits or fails, writing a warning for each limit
    /// reached for the first time in its period.
    func admit(_ record: JobRecord, estimate: CostEstimate) async throws(JournalError) -> Verdict {
        // Without any limit the estimate is still journaled: status shows the spend, and a limit added by a
        // reload counts the jobs already in flight.
        let limits = limits(for: record.inbox)
        let time = now()
        let decision = try await journal.reserveSpend(record.id, inbox: record.inbox, estimate: estimate.usd, at: time, limits: limits)
        guard case .overBudget(let exceeded, let newlyReached, let totals, let service) = decision else { return .admitted }
        let policy = configuration.withLock { configuration in
            configuration.inboxes.first { $0.name == record.inbox }?.overBudget ?? .wait
        }
        let period = SpendPeriod(time)
        let resumesAt = exceeded.map { period.rollover($0.period) }.min() ?? period.nextDay
        for limit in newlyReached {
            warn(limit, job: record, estimate: estimate, used: limit.used(in: limit.scope == .service ? service : totals), period: period, policy: policy)
        }
        let reasons = exceeded.map { limit in
            let used = limit.used(in: limit.scope == .service ? service : totals)
            return "\(limit) (\(Self.amount(used)) USD spent or in flight this \(limit.period.rawValue) in UTC)"
        }
        let message = "the estimated cost of \(estimate.text) would exceed " + reasons.joined(separator: " and ")
        switch policy {
        case .wait:
            logger.notice(
                "over budget: the job waits",
                metadata: ["job": "\(record.name)", "inbox": "\(record.inbox)", "reason": "\(message)", "resumes_at": "\(resumesAt.formatted(.iso8601))"]
            )
            return .wait(until: resumesAt)
        case .fail:
            return .refused(
                JobFailure(
                    stage: .submit,
                    code: "budget_exceeded",
                    message: message + "; nothing was sent to Segmind",
                    hint:
                        "Drop the job again after \(resumesAt.formatted(.iso8601)) (when the budget starts afresh), or raise the budget in the configuration and reload facedrop."
                )
            )
        }
    }

    /// Gives back a job's reservation when its POST was not sent or cost nothing.
    func release(_ record: JobRecord) async {
        do {
            try await journal.releaseSpend(record.id)
        } catch {
            logger.error(
                "a job's reservation could not be given back; it counts until the next start",
                metadata: ["job": "\(record.name)", "error": "\(error)"]
            )
        }
    }

    // MARK: Implementation

    private static func limits(_ limits: SpendLimits, scope: BudgetLimit.Scope) -> [BudgetLimit] {
        [(BudgetLimit.Period.day, limits.daily), (.month, limits.monthly)].compactMap { period, usd in
            usd.map { BudgetLimit(scope: scope, period: period, usd: $0) }
        }
    }

    /// One `budget-reached` warning: in every outbox for the service's limit, in the inbox's own for its limit.
    private func warn(_ limit: BudgetLimit, job: JobRecord, estimate: CostEstimate, used: Double, period: SpendPeriod, policy: OverBudgetPolicy) {
        let configuration = self.configuration.withLock { $0 }
        let outboxes: [String]
        let inbox: JSONValue
        switch limit.scope {
        case .service:
            outboxes = Array(Set(configuration.inboxes.map(\.outbox))).sorted()
            inbox = .null
        case .inbox(let name):
            outboxes = configuration.inboxes.first { $0.name == name }.map { [$0.outbox] } ?? []
            inbox = .string(name)
        }
        let resumesAt = period.rollover(limit.period)
        let outcome =
            policy == .wait
            ? "Jobs that do not fit wait (state waitingForBudget) and resume by themselves at \(resumesAt.formatted(.iso8601)) or when a reload raises the budget."
            : "Jobs of inbox \"\(job.inbox)\" that do not fit fail with budget_exceeded."
        let message = "\(limit) is reached for \(period.key(limit.period)) (UTC): \(Self.amount(used)) USD spent or in flight. " + outcome
        let time = now()
        let warning: JSONValue = [
            "kind": "budget-reached",
            "time": .string(time.formatted(.iso8601)),
            "scope": .string(limit.scope == .service ? "service" : "inbox"),
            "inbox": inbox,
            "period": .string(limit.period.rawValue),
            "period_utc": .string(period.key(limit.period)),
            "budget": .number(limit.usd),
            "spent_or_in_flight": .number(used),
            "job": .string(job.name),
            "job_estimate": estimate.json,
            "resumes_at": .string(resumesAt.formatted(.iso8601)),
            "message": .string(message),
            "hint": "Raise daily_budget or monthly_budget in the configuration and reload facedrop (SIGHUP) to go on now.",
        ]
        logger.warning("budget reached", metadata: ["budget": "\(limit)", "period": "\(period.key(limit.period))", "spent": "\(used)"])
        for outbox in outboxes {
            do {
                try OutboxFolders(root: outbox).writeWarning(warning, kind: "budget-reached", at: time)
            } catch {
                logger.error("a budget warning could not be written", metadata: ["outbox": "\(outbox)", "error": "\(error)"])
            }
        }
    }

    private static func amount(_ value: Double) -> String {
        String(format: "%.4f", value)
    }
}
