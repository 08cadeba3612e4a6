package import Foundation
import GRDB

/// The spend table: estimates reserved before a paid POST, costs booked after, by inbox and UTC day and month.
extension JobJournal {
    /// The gate: reserves `estimate` for job `id` if, counted with everything booked and in flight in the
    /// current UTC day and month (this job's own earlier reservation left out), it fits every limit in `limits`.
    /// Check and reservation are one transaction, so concurrent jobs cannot both take the last of a budget.
    ///
    /// Over budget, the limits not yet reported reached in this period (at this amount) are recorded as
    /// reached and returned as `newlyReached`, each exactly once however many jobs hit it.
    ///
    /// Deferred: the job's next step is synced (the intent to submit, a hold or a failure) and takes the reservation
    /// to disk with it before anything is sent. Lost in a power loss before that, the job is still `claimed` and is
    /// gated again; a limit reached in that moment may then be reported a second time.
    ///
    /// - Throws: ``JournalError/illegalTransition(id:from:to:)`` for a job cancelled meanwhile.
    package func reserveSpend(
        _ id: Int64,
        inbox: String,
        estimate: Double,
        at date: Date,
        limits: [BudgetLimit]
    ) async throws(JournalError) -> SpendDecision {
        let period = SpendPeriod(date)
        let now = date.timeIntervalSince1970
        return try await write(.deferred) { db in
            // A job `facedrop cancel` took back meanwhile reserves nothing: its reservation would never be given back.
            if try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM job WHERE id = ?"), arguments: [id]) == JobState.cancelled.rawValue {
                throw JournalError.illegalTransition(id: id, from: .cancelled, to: .submitting)
            }
            // The totals are read only when some limit needs them: a service without budgets reads none at each submit.
            if !limits.isEmpty {
                let all = try Self.spendTotals(db, period: period, excluding: id)
                let own = all[inbox] ?? SpendTotals()
                let service = all.values.reduce(SpendTotals(), +)
                let exceeded = SpendDecision.exceeded(limits, estimate: estimate, inbox: own, service: service)
                if !exceeded.isEmpty {
                    var newlyReached: [BudgetLimit] = []
                    for limit in exceeded {
                        try db.cachedStatement(sql: "INSERT OR IGNORE INTO budget_crossing (scope, period, limit_usd, crossed_at) VALUES (?, ?, ?, ?)")
                            .execute(arguments: [limit.scope.key, period.key(limit.period), limit.usd, now])
                        if db.changesCount > 0 { newlyReached.append(limit) }
                    }
                    return .overBudget(exceeded: exceeded, newlyReached: newlyReached, totals: own, service: service)
                }
            }
            // Cached, as every statement each job runs: compiling one costs about 11 k instructions.
            try db.cachedStatement(
                sql: """
                    INSERT INTO spend (job_id, inbox, day, month, estimate, cost, reserved_at) VALUES (?, ?, ?, ?, ?, NULL, ?)
                    ON CONFLICT (job_id) DO UPDATE SET inbox = excluded.inbox, day = excluded.day, month = excluded.month,
                        estimate = excluded.estimate, cost = NULL, reserved_at = excluded.reserved_at, booked_at = NULL
                    """
            ).execute(arguments: [id, inbox, period.day, period.month, estimate, now])
            return .reserved
        }
    }

    /// Books what job `id` really cost (Segmind's `metrics.cost`; its estimate when Segmind gave none) on the
    /// day and month its estimate was reserved. A job reserved by no gate (submitted before budgets existed)
    /// is booked on the day of `date`. Idempotent: booking again replaces the amount.
    ///
    /// Deferred. A running job does not call it: it books with its spooled outputs, in the same synced transaction
    /// (``recordSpooled(_:spoolPath:outputs:completedAt:booking:)``).
    package func bookSpend(_ id: Int64, inbox: String, cost: Double?, at date: Date) async throws(JournalError) {
        try await write(.deferred) { db in try Self.book(db, id, inbox: inbox, cost: cost, at: date) }
    }

    /// ``bookSpend(_:inbox:cost:at:)`` inside a transaction already open, for a step that books as it records.
    static func book(_ db: Database, _ id: Int64, inbox: String, cost: Double?, at date: Date) throws {
        let period = SpendPeriod(date)
        let now = date.timeIntervalSince1970
        try db.cachedStatement(sql: "UPDATE spend SET cost = COALESCE(?, estimate), booked_at = ? WHERE job_id = ?")
            .execute(arguments: [cost, now, id])
        if db.changesCount == 0, let cost {
            try db.cachedStatement(
                sql: "INSERT INTO spend (job_id, inbox, day, month, estimate, cost, reserved_at, booked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            ).execute(arguments: [id, inbox, period.day, period.month, cost, cost, now, now])
        }
    }

    /// Gives back job `id`'s reservation: its POST was never sent or was refused without a charge.
    package func releaseSpend(_ id: Int64) async throws(JournalError) {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM spend WHERE job_id = ? AND cost IS NULL").execute(arguments: [id])
        }
    }

    /// Gives back the reservations of jobs that are queued again (claimed, or waiting for credits or budget):
    /// a crash left them reserved before their POST was sent. Jobs in `submitting` keep theirs: their POST may
    /// have been billed. Run at start, before any job is gated. Returns how many were given back.
    @discardableResult
    package func releaseUnsentSpend() async throws(JournalError) -> Int {
        let queued = [JobState.claimed, .waitingForCredits, .waitingForBudget].map(\.rawValue)
        return try await write { db in
            try db.execute(
                sql: "DELETE FROM spend WHERE cost IS NULL AND job_id IN (SELECT id FROM job WHERE state IN (?, ?, ?))",
                arguments: StatementArguments(queued)
            )
            return db.changesCount
        }
    }

    /// Each inbox's spend in the UTC day and month of `date`; the service's is their sum.
    package func spendTotals(at date: Date) throws(JournalError) -> [String: SpendTotals] {
        try read { db in try Self.spendTotals(db, period: SpendPeriod(date), excluding: nil) }
    }

    /// Holds a claimed job back because its estimate does not fit a budget.
    @discardableResult
    package func holdForBudget(_ id: Int64) async throws(JournalError) -> JobRecord {
        try await move(id, to: .waitingForBudget, from: [.claimed])
    }

    /// Puts a job held for budget back in the queue, to be gated again.
    @discardableResult
    package func releaseFromBudget(_ id: Int64) async throws(JournalError) -> JobRecord {
        try await move(id, to: .claimed, from: [.waitingForBudget])
    }

    // MARK: - Implementation

    /// Each inbox's totals for `period`, from the per-day sums of `spend_day` (at most a month of rows per inbox),
    /// with job `id`'s own row taken out when it has one.
    private static func spendTotals(_ db: Database, period: SpendPeriod, excluding id: Int64?) throws -> [String: SpendTotals] {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT inbox,
                        TOTAL(IIF(day = ?, booked, 0)) AS booked_day,
                        TOTAL(IIF(day = ?, in_flight, 0)) AS flying_day,
                        TOTAL(booked) AS booked_month,
                        TOTAL(in_flight) AS flying_month
                    FROM spend_day WHERE month = ? GROUP BY inbox
                    """
            ),
            arguments: [period.day, period.day, period.month]
        )
        var micro: [String: (bookedDay: Double, flyingDay: Double, bookedMonth: Double, flyingMonth: Double)] = [:]
        for row in rows {
            micro[row["inbox"]] = (row["booked_day"], row["flying_day"], row["booked_month"], row["flying_month"])
        }
        if let id,
            let own = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT inbox, day = ? AS today,
                            IIF(cost IS NULL, 0, CAST(ROUND(cost * 1000000) AS INTEGER)) AS booked,
                            IIF(cost IS NULL, CAST(ROUND(estimate * 1000000) AS INTEGER), 0) AS flying
                        FROM spend WHERE job_id = ? AND month = ?
                        """
                ),
                arguments: [period.day, id, period.month]
            ),
            var sums = micro[own["inbox"]]
        {
            let booked: Double = own["booked"]
            let flying: Double = own["flying"]
            if own["today"] {
                sums.bookedDay -= booked
                sums.flyingDay -= flying
            }
            sums.bookedMonth -= booked
            sums.flyingMonth -= flying
            micro[own["inbox"]] = sums
        }
        var totals: [String: SpendTotals] = [:]
        for (inbox, sums) in micro where sums != (0, 0, 0, 0) {
            totals[inbox] = SpendTotals(
                bookedToday: sums.bookedDay / microdollars,
                inFlightToday: sums.flyingDay / microdollars,
                bookedThisMonth: sums.bookedMonth / microdollars,
                inFlightThisMonth: sums.flyingMonth / microdollars
            )
        }
        return totals
    }

    /// `spend_day` keeps amounts in whole micro-dollars.
    private static let microdollars = 1_000_000.0
}
