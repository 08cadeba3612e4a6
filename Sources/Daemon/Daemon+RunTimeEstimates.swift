import Foundation
import Journal
import Logging
import Scheduling
import SegmindCatalog

extension Daemon {
    /// The run time estimates the journal kept from earlier runs, for the poll planner.
    ///
    /// A model with finished jobs in the journal but no stored estimate (they finished before estimates were
    /// stored) starts from their average at the catalog's default size, so an upgrade does not probe early again.
    static func learnedRunTimes(journal: JobJournal, catalog: ModelCatalog, logger: Logger) -> [LearnedRunTime] {
        var learned: [LearnedRunTime] = []
        do {
            learned = try journal.runTimeEstimates().map { stored in
                LearnedRunTime(
                    model: stored.estimate.model,
                    size: WorkSize(bucket: stored.estimate.sizeBucket),
                    runTime: JobExecutor.duration(stored.estimate.seconds),
                    samples: stored.estimate.samples
                )
            }
        } catch {
            logger.warning("the stored run time estimates cannot be read; polls start from the catalog's figures", metadata: ["error": "\(error)"])
        }
        let known = Set(learned.map(\.model))
        for (model, seconds) in (try? journal.averageRunTimes()) ?? [:] where !known.contains(model) && seconds > 0 {
            learned.append(
                LearnedRunTime(
                    model: model,
                    size: WorkSize(model: catalog.model(model), parameters: [:]),
                    runTime: JobExecutor.duration(seconds),
                    samples: 1
                )
            )
        }
        return learned
    }
}
