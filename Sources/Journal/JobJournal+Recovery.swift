import GRDB

extension JobJournal {
    /// Sorts every unfinished job into what start-up must do with it.
    package func recover() throws(JournalError) -> RecoveryPlan {
        let jobs = try read { db in
            try JobRecord.fetchAll(
                db,
                where: "state NOT IN (?, ?, ?, ?) ORDER BY id",
                arguments: [JobState.done.rawValue, JobState.failed.rawValue, JobState.cancelled.rawValue, JobState.takenOver.rawValue]
            )
        }
        var plan = RecoveryPlan()
        for job in jobs {
            switch job.state {
            case .submitting: plan.outcomeUnknown.append(job)
            case .submitted: plan.resumePolling.append(job)
            case .spooled: plan.redeliver.append(job)
            case .delivered: plan.finish.append(job)
            case .claimed, .waitingForCredits, .waitingForBudget: plan.requeue.append(job)
            case .done, .failed, .cancelled, .takenOver: break
            }
        }
        return plan
    }
}
