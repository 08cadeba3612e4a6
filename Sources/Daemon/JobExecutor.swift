import DaemonConfiguration
import DedicatedThreads
import FileSystem
import Foundation
import HotFolder
import JobHooks
import JobPipeline
import Journal
import Logging
import Outbox
import Scheduling
import SegmindAPI
import SegmindCatalog
import ServiceMetrics
import StrictJSON
import Synchronization

/// Carries one claimed job through its journaled steps: prepare → submitting → submitted → spooled →
/// delivered → done, or failed.
///
/// Every step starts from the journal's record, so the same code resumes a job after a restart: a job in
/// `submitted` is polled again with its stored request ID, one in `spooled` is delivered from the spool (its
/// outputs fetched again when the spool does not hold them), and the paid POST happens only after `submitting`
/// is on disk. Nothing here submits a job twice.
struct JobExecutor: Sendable {
    /// How a run of a job ended.
    enum Ending: Sendable, Equatable {
        /// In `done/` or `failed/`.
        case finished
        /// Segmind answered 406 "not enough credits": the job waits, unfailed, for credits.
        case heldForCredits
        /// Its estimated cost does not fit a spending limit: the job waits, unfailed, until `until` (the limit's
        /// UTC rollover) or a reload (see ``SpendingGate``).
        case heldForBudget(until: Date)
        /// The daemon is stopping; the job resumes from its journal state at the next start.
        case interrupted
        /// Its inbox is paused (a `PAUSE` file): the job stays queued, unsent, until the inbox resumes.
        case paused
        /// A folder refused the job's files (the spool could not take its outputs, or the outbox its folder): the
        /// job stays where it is in the journal and the step is tried again with backoff (see ``UnwritableFolders``).
        case writePending
    }

    let journal: JobJournal
    let client: SegmindClient
    let catalog: ModelCatalog
    let inboxes: InboxDirectory
    let state: StateFolders
    let planner: SharedPlanner
    let credits: CreditsMonitor
    /// The spending limits, checked before every paid POST.
    let spending: SpendingGate
    /// Where the steps that sync files run (claims use it too), off the cooperative pool.
    let files: FileWorkPool
    /// Bounds the prepared submits held at once (see ``SubmitSlots``).
    let slots: SubmitSlots
    /// Where a fault test makes the daemon kill itself (off unless `FACEDROP_CRASH_POINT` is set).
    let crashPoints: CrashPoints
    /// The folders (spool, outboxes) that refuse writes now, each reported once.
    let unwritable: UnwritableFolders
    /// Runs the inboxes' hooks, recorded as due with each job's end.
    let hooks: HookRunner
    /// This daemon's name in `claim.json` and in the receipts of shared inboxes: host name and state folder.
    let owner: String
    /// POSTs sent and not yet answered: a stopping daemon waits for them, and says so.
    let postsOnTheWire = Counter()
    /// Cancelled jobs whose files are being returned now: the scheduler and a job's own task may both try.
    let returningFiles = JobSet()
    let logger: Logger

    /// A set of job IDs shared by the copies of an executor.
    final class JobSet: Sendable {
        private let ids = Mutex<Set<Int64>>([])
        /// Adds `id`; false when it is in the set already.
        func insert(_ id: Int64) -> Bool { ids.withLock { $0.insert(id).inserted } }
        func remove(_ id: Int64) { _ = ids.withLock { $0.remove(id) } }
    }

    /// A count shared by the copies of an executor.
    final class Counter: Sendable {
        private let atomic = Atomic<Int>(0)
        var value: Int { atomic.load(ordering: .relaxed) }
        func add(_ amount: Int) { atomic.add(amount, ordering: .relaxed) }
    }

    // MARK: Entry points

    /// Runs a claimed job from the start; the step a resumed job is at is taken from its record.
    func run(_ record: JobRecord) async -> Ending {
        // A resumed job (after a restart, say) may have been adopted meanwhile. A fresh one needs no look at the share
        // here: its intent's receipt and its failure are fenced where they happen.
        if record.state != .claimed, let ending = await standDownIfTakenOver(record) { return ending }
        await catchUpReceipt(record)
        switch record.state {
        case .claimed: return await submit(record)
        case .submitted: return await poll(record)
        case .spooled: return await deliver(record)
        case .delivered: return await finish(record)
        case .submitting:
            return await fail(
                record,
                JobFailure(
                    stage: .submit,
                    code: "outcome_unknown",
                    message: "facedrop stopped while this job's submit was in flight; Segmind may have accepted (and billed) it",
                    hint:
                        "Check Segmind's request history for this model around the submit time before dropping the job again; facedrop never submits twice on its own."
                )
            )
        case .cancelled where record.resultFolder == nil:
            return await deliverCancellation(record)
        case .waitingForCredits, .waitingForBudget, .done, .failed, .cancelled, .takenOver:
            return .finished
        }
    }

    /// The step a folder refused, tried again: saving a finished job's outputs in the spool, delivering its
    /// folder, or delivering a failure.
    func retryWrite(_ record: JobRecord) async -> Ending {
        switch record.state {
        case .submitted where record.result != nil: await poll(record)
        case .spooled: await deliver(record)
        case .delivered: await finish(record)
        case .failed where record.resultFolder == nil: await deliverFailure(record)
        case .cancelled where record.resultFolder == nil: await deliverCancellation(record)
        default: .finished
        }
    }

    // MARK: Steps

    /// What became of a job's POST: Segmind's answer, or the job's end (failed, held, interrupted) before one.
    private enum PostOutcome {
        case answered(SubmittedRequest, model: String, size: WorkSize)
        case ended(Ending)
    }

    private func submit(_ record: JobRecord) async -> Ending {
        // The slot bounds how many prepared bodies exist at once; it is given back once the POST has answered.
        guard await slots.acquire() else { return .interrupted }
        let outcome = await prepareAndPost(record)
        slots.release()
        let submitted: SubmittedRequest
        let model: String
        let size: WorkSize
        switch outcome {
        case .ended(let ending): return ending
        case .answered(let answer, let answeredModel, let answeredSize):
            submitted = answer
            model = answeredModel
            size = answeredSize
        }
        let deadline = Date().addingTimeInterval(Self.seconds(inboxes.jobDeadline.withLock { $0 }))
        // Submitted last, it is the model's scout only when no other job of the model polls or was answered first.
        let scouting = planner.answered(record.id, model: model)
        defer { planner.forgetAnswered(record.id, model: model) }
        let firstPoll = planner.planner.firstPoll(model: model, size: size, scouting: scouting)
        // The request ID exists only in memory until this write succeeds: it is retried as long as the daemon runs.
        let nextPollAt = Date().addingTimeInterval(Self.seconds(firstPoll))
        guard
            let updated = await journaled(
                "record the request ID \(submitted.requestID)",
                record,
                { () async throws(JournalError) in
                    try await journal.recordSubmitted(
                        record.id,
                        requestID: submitted.requestID,
                        statusURL: submitted.statusURL,
                        responseURL: submitted.responseURL,
                        nextPollAt: nextPollAt,
                        deadline: deadline
                    )
                }
            )
        else {
            logger.critical(
                "stopped before the request ID could be journaled; the job will be reported as an unknown outcome",
                metadata: ["job": "\(record.name)", "segmind.request_id": "\(submitted.requestID)"]
            )
            return .interrupted
        }
        crashPoints.reach("submit.journaled", job: record.name)
        await writeReceipt(.submitted, of: updated)
        logger.info("submitted", metadata: ["job": "\(record.name)", "segmind.model": "\(model)", "segmind.request_id": "\(submitted.requestID)"])
        await credits.record(remaining: submitted.remainingCredits)
        return await poll(updated)
    }

    /// Prepares the request, then submits it: wait for the request budget, connect, journal the intent, send.
    ///
    /// The intent to submit is journaled only once the budget has given this request its turn and libcurl holds a
    /// connection to Segmind, right before the POST's bytes are written (``SubmitIntent``), so `submitting` in
    /// the journal means exactly "the POST may have been sent". Every wait (the budget, the backoff after a 429
    /// or 5xx) happens with the job `claimed` and ends at once when the daemon stops; only the POST itself is
    /// shielded from the stop, so its request ID is recorded.
    private func prepareAndPost(_ record: JobRecord) async -> PostOutcome {
        let input = jobInput(record)
        let settings = inboxes.settings(for: record.inbox)
        let prepared: PreparedRequest
        do {
            prepared = try JobPreparer(catalog: catalog).prepare(input, settings: settings)
        } catch {
            return .ended(await fail(record, error))
        }
        let estimate = spending.estimate(prepared, catalog: catalog)
        let summary = GenerationSummary(
            model: prepared.model,
            requestID: "",
            parameters: prepared.parameters,
            warnings: prepared.warnings,
            submittedAt: nil,
            completedAt: nil,
            polls: 0,
            inferenceTime: nil,
            cost: nil,
            remainingCredits: nil,
            outputs: [],
            estimate: estimate
        )
        if let ending = await gate(record, estimate: estimate) { return .ended(ending) }
        let request = String(decoding: summary.json.serialized(), as: UTF8.self)
        var attempt = 0
        while true {
            attempt += 1
            if await credits.isExhausted {
                return .ended(await hold(record))
            }
            crashPoints.reach("submit.turn", job: record.name)
            if crashPoints.isArmed("submit.waiting"), let budget = client.configuration.gate as? RequestBudget, await budget.snapshot().isExhausted {
                crashPoints.reach("submit.waiting", job: record.name)
            }
            do {
                try await client.waitForTurn(.submit)
            } catch {
                return .ended(.interrupted)
            }
            if Task.isCancelled {
                // Stopping between the turn and the POST: nothing was sent, so the job simply waits for the next start.
                return .ended(.interrupted)
            }
            if inboxes.isPaused(record.inbox) {
                // Paused while the job waited for its turn: nothing is sent; the reservation goes back with the job.
                await spending.release(record)
                logger.info("inbox paused: the job waits, unsent", metadata: ["job": "\(record.name)", "inbox": "\(record.inbox)"])
                return .ended(.paused)
            }
            let intent = SubmitIntent(
                journal: journal,
                job: record,
                request: request,
                receipt: intentReceipt(record, model: prepared.model, request: request),
                crashPoints: crashPoints
            )
            let answer = await post(model: prepared.model, body: prepared.body, beforeSending: intent.record)
            let submitting: JobRecord
            switch intent.outcome {
            case .recorded(let written):
                unwritable.accepted(journal.path)
                submitting = written
            case .refused(.illegalTransition(_, from: .cancelled, _)):
                // `facedrop cancel` committed first: nothing was sent, and nothing will be.
                guard let current = try? journal.job(record.id) else { return .ended(.interrupted) }
                return .ended(await deliverCancellation(current))
            case .refused(let error):
                // Nothing is sent without the intent on disk. The turn is given up: once the journal takes writes again,
                // the job asks for a new one, so a POST never goes out long after the turn that counted it.
                unwritable.refused(
                    journal.path,
                    kind: "journal-unwritable",
                    error: "record the intent to submit: \(error)",
                    job: record.name,
                    outbox: inboxes.outbox(for: record.inbox)
                )
                do {
                    try await TimerClock().sleep(for: Self.journalRetry(after: attempt))
                } catch {
                    return .ended(.interrupted)
                }
                continue
            case .unreceipted(let error):
                // A shared inbox's claim folder refused the receipt of the intent: nothing was journaled or sent. Adopted
                // by another host, the job is that host's now; else the turn is given up, and the job asks for a new one
                // once the wait is over.
                if let ending = await standDownIfTakenOver(record) { return .ended(ending) }
                logger.warning(
                    "the claim folder refused the receipt of the intent to submit; nothing was sent",
                    metadata: ["job": "\(record.name)", "claim": "\(record.claimedPath)", "error": "\(error)"]
                )
                do {
                    try await TimerClock().sleep(for: Self.journalRetry(after: attempt))
                } catch {
                    return .ended(.interrupted)
                }
                continue
            case .notReached:
                // The POST never got as far as being sent (DNS, connect, TLS): the job is still only claimed.
                guard case .retryable(let error) = answer else {
                    logger.critical("a submit answered without ever being sent; failing it as an unknown outcome", metadata: ["job": "\(record.name)"])
                    return .ended(
                        await fail(
                            record,
                            .segmind(.outcomeUnknown(model: prepared.model, detail: "answered without being sent"), stage: .submit, requestID: nil)
                        )
                    )
                }
                if let ending = await backOff(record, after: error, attempt: attempt) { return .ended(ending) }
                continue
            }
            switch answer {
            case .accepted(let answer):
                crashPoints.reach("submit.answered", job: record.name)
                return .answered(answer, model: prepared.model, size: WorkSize(model: catalog.model(prepared.model), parameters: prepared.body))
            case .refused(.insufficientCredits(let message)):
                await credits.exhausted(message: message)
                return .ended(await hold(submitting))
            case .refused(let error):
                // Refused outright: nothing was billed, so the estimate stops counting.
                await spending.release(record)
                return .ended(await fail(submitting, .segmind(error, stage: .submit, requestID: nil)))
            case .outcomeUnknown(let error):
                return .ended(await fail(submitting, .segmind(error, stage: .submit, requestID: nil)))
            case .retryable(let error):
                // Nothing was billed: the job goes back to `claimed` before any wait, so a stop or a crash during
                // the backoff leaves a job that is simply submitted later, never one "maybe billed".
                let queued = await takeBack(submitting, because: error.description)
                guard queued == .finished else { return .ended(queued) }
                if let ending = await backOff(record, after: error, attempt: attempt) { return .ended(ending) }
            }
        }
    }

    /// The spending limits' check, before anything is sent: nil when the job may go on (its estimate is
    /// journaled as in flight), else how it ended (held for budget, failed with `budget_exceeded`, interrupted).
    private func gate(_ record: JobRecord, estimate: CostEstimate) async -> Ending? {
        guard
            let verdict = await journaled(
                "check the spending limits",
                record,
                { () async throws(JournalError) in try await spending.admit(record, estimate: estimate) }
            )
        else { return .interrupted }
        switch verdict {
        case .admitted:
            return nil
        case .refused(let failure):
            return await fail(record, failure)
        case .wait(let until):
            guard await journaled("hold the job for budget", record, { () async throws(JournalError) in try await journal.holdForBudget(record.id) }) != nil
            else { return .interrupted }
            return .heldForBudget(until: until)
        }
    }

    /// Waits before submitting again after an attempt that cost nothing; the job's end instead when the submit
    /// policy gives up (failed with `error`) or the daemon stops during the wait (interrupted, still claimed).
    private func backOff(_ record: JobRecord, after error: SegmindError, attempt: Int) async -> Ending? {
        guard let delay = await client.submitRetryDelay(after: error, attempt: attempt) else {
            return await fail(record, .segmind(error, stage: .submit, requestID: nil))
        }
        logger.notice("submit not accepted or not sent; trying again", metadata: ["job": "\(record.name)", "error": "\(error)", "retry_in": "\(delay)"])
        do {
            try await TimerClock().sleep(for: delay)
        } catch {
            return .interrupted
        }
        return nil
    }

    /// Sends the POST in a task of its own, so a stopping daemon waits for the answer instead of abandoning a
    /// request that may already be billed. ``postsOnTheWire`` counts it meanwhile, for the stop's log line.
    private func post(model: String, body: [String: JSONValue], beforeSending: @escaping @Sendable () -> Bool) async -> SubmitAttempt {
        let client = self.client
        let wire = postsOnTheWire
        wire.add(1)
        defer { wire.add(-1) }
        return await Task(executorPreference: ExecutorPreference.current) { await client.sendSubmit(model: model, body: body, beforeSending: beforeSending) }
            .value
    }

    /// Puts a job whose POST provably cost nothing back in the queue; `.finished` when that worked (the caller
    /// goes on), `.interrupted` when the journal could not take it (the job stays `submitting`, and a restart
    /// treats it as an unknown outcome: the safe side).
    private func takeBack(_ record: JobRecord, because reason: String) async -> Ending {
        guard
            await journaled(
                "take back a submit that was not sent (\(reason))",
                record,
                { () async throws(JournalError) in try await journal.markNotSent(record.id) }
            ) != nil
        else {
            return .interrupted
        }
        return .finished
    }

    private func poll(_ start: JobRecord) async -> Ending {
        var record = start
        // Read once for the model, the work size and the pictures' names: polls and the result leave it as it is.
        let summary = summary(of: record)
        guard let requestID = record.requestID, let model = record.model ?? summary?.model else {
            return await fail(
                record,
                JobFailure(stage: .poll, code: "internal", message: "the journal lost this job's request ID", hint: "This is a facedrop bug; please report it.")
            )
        }
        let request = SubmittedRequest(
            requestID: requestID,
            model: model,
            statusURL: record.statusURL ?? client.handle(forRequestID: requestID, model: model).statusURL,
            responseURL: record.responseURL ?? client.handle(forRequestID: requestID, model: model).responseURL
        )
        if let text = record.result, let body = try? JSONParser().parse(Array(text.utf8)),
            let stored = SegmindClient.storedResult(body, requestID: requestID)
        {
            // Finished before: the answer was journaled, so the outputs are fetched without asking Segmind again.
            return await spool(record, result: stored, model: model, summary: summary)
        }
        let size = WorkSize(model: catalog.model(model), parameters: summary?.parameters ?? [:])
        let polling = SharedPlanner.PollingJob(submittedAt: record.submittedAt ?? Date(), id: record.id)
        planner.beginPolling(polling, model: model)
        defer { planner.endPolling(polling, model: model) }
        var transientFailures = 0
        // When, counted from the submit, the last poll of this run found the job running; unknown after a restart.
        var lastPoll: Duration?
        while true {
            // Wait for the poll's due time; when a finished job changes the estimates meanwhile, plan again.
            while let next = record.nextPollAt, next > Date() {
                let revision = planner.revision
                let changed = await planner.waitForChange(after: revision, upTo: .microseconds(Int64((next.timeIntervalSinceNow * 1e6).rounded(.up))))
                if Task.isCancelled { return .interrupted }
                if changed, transientFailures == 0 {
                    let scouting = planner.isScout(polling, model: model)
                    guard let replanned = await replan(record, model: model, size: size, lastPoll: lastPoll, scouting: scouting) else {
                        return .interrupted
                    }
                    record = replanned
                }
            }
            if Task.isCancelled { return .interrupted }
            if let deadline = record.deadline, deadline < Date() {
                let waited = Int(Date().timeIntervalSince(record.submittedAt ?? deadline))
                return await fail(record, .segmind(.deadlineExceeded(requestID: requestID, waitedSeconds: waited), stage: .poll, requestID: requestID))
            }
            if let ending = await standDownIfTakenOver(record) { return ending }
            let outcome: SegmindClient.PollOutcome
            // Before the model's run time at this size is measured here, the poll of a job other than the model's
            // scout is a guess that only bounds its lag until the scout finishes: the request budget serves it after
            // the polls that are due. The scout's probes are served as due: its finish plans every other job again.
            let probe = planner.planner.estimate(model: model, size: size).basis != .measured && !planner.isScout(polling, model: model)
            let attempt = await PollProbe.$current.withValue(probe) { () async -> Result<SegmindClient.PollOutcome, SegmindError> in
                do throws(SegmindError) { return .success(try await client.poll(request)) } catch { return .failure(error) }
            }
            do {
                outcome = try attempt.get()
            } catch .cancelled {
                return .interrupted
            } catch {
                switch error {
                case .network, .serverError, .malformedResponse, .rateLimited:
                    // Reads are always safe to repeat: keep trying until the deadline or Segmind's expiry.
                    transientFailures += 1
                    let delay = min(60.0, Double(1 << min(transientFailures, 6)))
                    logger.warning("poll failed; trying again", metadata: ["job": "\(record.name)", "error": "\(error)", "retry_in": "\(delay)"])
                    guard let polled = await recordPoll(record, next: Date().addingTimeInterval(delay)) else { return .interrupted }
                    record = polled
                    continue
                default:
                    return await fail(record, .segmind(error, stage: .poll, requestID: requestID))
                }
            }
            switch outcome {
            case .running:
                transientFailures = 0
                let submittedAt = record.submittedAt ?? Date()
                let elapsed = Self.duration(Date().timeIntervalSince(submittedAt))
                lastPoll = elapsed
                let due = planner.planner.dueElapsed(model: model, size: size, lastPoll: elapsed, scouting: planner.isScout(polling, model: model))
                crashPoints.reach("poll.answered", job: record.name)
                guard let polled = await recordPoll(record, next: submittedAt.addingTimeInterval(Self.seconds(due))) else { return .interrupted }
                record = polled
                crashPoints.reach("poll.journaled", job: record.name)
            case .completed(let result):
                crashPoints.reach("result.answered", job: record.name)
                DaemonMetrics.finishSeen(record, result: result)
                // Journaled before any download: Segmind forgets the request after an hour, the outputs after days,
                // so a job whose outputs cannot be saved yet can still fetch them much later.
                let stored = String(decoding: SegmindClient.storedBody(of: result).serialized(), as: UTF8.self)
                let current = record
                guard
                    let finished = await journaled(
                        "record the finished result",
                        record,
                        { () async throws(JournalError) in try await journal.recordResult(current.id, result: stored) }
                    )
                else {
                    return .interrupted
                }
                crashPoints.reach("result.journaled", job: record.name)
                return await spool(finished, result: result, model: model, summary: summary)
            }
        }
    }

    /// Plans a waiting job's next poll again after the estimates or its model's scout changed. The new due time is journaled when it
    /// moved by more than ``replanSlack`` (a restart resumes from it), else only kept for this run; nil when the
    /// daemon stops first.
    private func replan(_ record: JobRecord, model: String, size: WorkSize, lastPoll: Duration?, scouting: Bool) async -> JobRecord? {
        let submittedAt = record.submittedAt ?? Date()
        let elapsed = planner.planner.dueElapsed(model: model, size: size, lastPoll: lastPoll, scouting: scouting)
        let due = max(submittedAt.addingTimeInterval(Self.seconds(elapsed)), Date())
        guard let stored = record.nextPollAt, abs(due.timeIntervalSince(stored)) > Self.seconds(Self.replanSlack) else {
            var kept = record
            kept.nextPollAt = due
            return kept
        }
        logger.debug(
            "poll planned again",
            metadata: ["job": "\(record.name)", "segmind.model": "\(model)", "next_poll_in": "\(max(0, due.timeIntervalSinceNow))"]
        )
        return await journaled("plan the next poll again", record) { () async throws(JournalError) in
            try await journal.reschedulePoll(record.id, nextPollAt: due)
        }
    }

    /// A re-planned due time that moved less than this is not journaled: a burst's every finish nudges the
    /// estimate, and would otherwise rewrite every waiting job's row.
    static let replanSlack: Duration = .milliseconds(250)

    /// Journals a poll that did not find the job finished and when to poll next; nil when the daemon stops first.
    private func recordPoll(_ record: JobRecord, next: Date) async -> JobRecord? {
        await journaled("record a poll", record) { () async throws(JournalError) in try await journal.recordPoll(record.id, nextPollAt: next) }
    }

    /// Fetches a finished job's outputs, journals them as spooled and delivers them; `saved` is ``summary(of:)``
    /// of `record`. The outputs go from memory straight into the outbox's job folder: the spool folder is written
    /// only when the outbox refuses them (``keepSpool(_:fetched:of:)``). Until then a job journaled as spooled has
    /// nothing in its spool, and a restart fetches its outputs again from the URLs journaled with the result.
    private func spool(_ record: JobRecord, result: GenerationResult, model: String, summary saved: GenerationSummary?) async -> Ending {
        let folder = state.spoolFolder(job: record.id)
        let fetched: [OutputDownloader.Fetched]
        switch await fetch(result, of: record, summary: saved) {
        case .fetched(let outputs): fetched = outputs
        case .ended(let ending): return ending
        }
        let outputs = fetched.map(\.entry)
        crashPoints.reach("outputs.fetched", job: record.name)
        var summary =
            saved
            ?? GenerationSummary(
                model: model,
                requestID: "",
                parameters: [:],
                warnings: [],
                submittedAt: nil,
                completedAt: nil,
                polls: 0,
                inferenceTime: nil,
                cost: nil,
                remainingCredits: nil,
                outputs: []
            )
        let completedAt = Date()
        summary.requestID = result.requestID
        summary.submittedAt = record.submittedAt
        summary.completedAt = completedAt
        summary.polls = record.polls + 1
        summary.inferenceTime = result.metrics.inferenceTime
        summary.cost = result.metrics.cost
        summary.remainingCredits = result.metrics.remainingCredits
        summary.outputs = outputs
        summary.emulator = result.emulator
        // Learn the run time Segmind reports when it does: the time until facedrop noticed the result includes
        // the wait for the poll itself, and learning that would push every next first poll later.
        var runTime: TimeInterval?
        if let submittedAt = record.submittedAt {
            let observed = completedAt.timeIntervalSince(submittedAt)
            let metrics = result.metrics
            let reported = metrics.totalTime ?? metrics.inferenceTime.map { $0 + (metrics.queueTime ?? 0) }
            runTime = min(observed, reported ?? observed)
        }
        let outputsText = String(decoding: summary.json.serialized(), as: UTF8.self)
        let completed = both(record.submittedAt, runTime).map { $0.addingTimeInterval($1) }
        // What the planner learns from this job is kept for the next start in the write below, not a write of its own.
        let estimate = runTime.flatMap { runTime -> RunTimeEstimate? in
            let size = WorkSize(model: catalog.model(model), parameters: summary.parameters)
            let queueTime = result.metrics.queueTime.map(Self.duration)
            guard let learned = planner.learn(model: model, size: size, runTime: Self.duration(runTime), queueTime: queueTime) else {
                return nil
            }
            return RunTimeEstimate(
                model: learned.model,
                sizeBucket: learned.size.bucket,
                seconds: Self.seconds(learned.runTime),
                samples: learned.samples
            )
        }
        guard
            let spooled = await journaled(
                "record the spooled outputs",
                record,
                { () async throws(JournalError) in
                    // Segmind's figure replaces the estimate in the budgets, and the learned run time is stored, in
                    // the same write (again, harmlessly, when the write is retried).
                    try await journal.recordSpooled(
                        record.id,
                        spoolPath: folder,
                        outputs: outputsText,
                        completedAt: completed,
                        booking: (inbox: record.inbox, cost: result.metrics.cost),
                        estimate: estimate
                    )
                }
            )
        else { return .interrupted }
        crashPoints.reach("spool.journaled", job: record.name)
        await writeReceipt(.completed, of: spooled)
        await credits.record(remaining: result.metrics.remainingCredits)
        return await deliver(spooled, summary: summary, refetched: false, fetched: fetched)
    }

    /// What fetching a finished job's outputs came to.
    private enum Fetch {
        case fetched([OutputDownloader.Fetched])
        case ended(Ending)
    }

    /// Fetches a finished job's outputs into memory and checks them. `summary` is ``summary(of:)`` of `record`,
    /// for the pictures' names.
    private func fetch(_ result: GenerationResult, of record: JobRecord, summary: GenerationSummary?) async -> Fetch {
        do throws(JobFailure) {
            let name = record.name
            let crashPoints = self.crashPoints
            let downloader = OutputDownloader(client: client)
            let naming = outputNaming(record, summary: summary)
            let fetched = try await downloader.fetch(result, job: name, name: naming) { index, total, _ in
                if index < total { crashPoints.reach("download.partial", job: name) }
            }
            return .fetched(fetched)
        } catch {
            if error.code == "cancelled" { return .ended(.interrupted) }
            return .ended(await fail(record, error))
        }
    }

    private func deliver(_ record: JobRecord) async -> Ending {
        guard let summary = GenerationSummary(json: (try? JSONParser().parse(Array(record.outputs.utf8))) ?? .null) else {
            return await fail(
                record,
                JobFailure(
                    stage: .write,
                    code: "internal",
                    message: "the journal's record of the spooled outputs is unreadable",
                    hint: "This is a facedrop bug; please report it. The images are in the spool folder."
                )
            )
        }
        return await deliver(record, summary: summary, refetched: false, fetched: [])
    }

    /// Delivers the outputs `summary` describes, from `fetched` or else from the spool; when the spool lacks one
    /// (the outbox took the job at its first try, so nothing was written there, or a power loss took it), fetches
    /// them again from the journaled result first, once. When the outbox refuses the folder, the outputs are kept
    /// in the spool, flushed, until it takes them.
    private func deliver(_ record: JobRecord, summary: GenerationSummary, refetched: Bool, fetched: [OutputDownloader.Fetched]) async -> Ending {
        guard let outbox = inboxes.outbox(for: record.inbox) else { return .writePending }
        let metadata: JobDelivery.PictureMetadata = inboxes.inbox(named: record.inbox)?.embedMetadata == false ? .sidecar : .embedded
        let folder: String
        let spoolFolder = record.spoolPath ?? state.spoolFolder(job: record.id)
        // The fence checks the claim once the staging folder exists; a claim adopted meanwhile ends here below.
        let fence = deliveryFence(record)
        do {
            let input = jobInput(record)
            folder = try await files.run { () throws(JobFailure) -> String in
                try JobDelivery(outbox: outbox, metadata: metadata, fence: fence).deliverResult(
                    input,
                    summary: summary,
                    spoolFolder: spoolFolder,
                    fetched: Dictionary(fetched.map { ($0.file, $0.bytes) }, uniquingKeysWith: { first, _ in first })
                )
            }
        } catch {
            if error.code == JobDelivery.takenOverCode, let ending = await standDownIfTakenOver(record) { return ending }
            if error.code == JobDelivery.spoolLostCode, !refetched {
                return await refetch(record, summary: summary, into: spoolFolder)
            }
            unwritable.refused(outbox.root, kind: "outbox-unwritable", error: error.message, job: record.name, outbox: outbox)
            await keepSpool(spoolFolder, fetched: fetched, of: record)
            return .writePending
        }
        unwritable.accepted(outbox.root)
        crashPoints.reach("deliver.published", job: record.name)
        guard
            let delivered = await journaled(
                "record the delivery",
                record,
                { () async throws(JournalError) in try await journal.markDelivered(record.id, resultFolder: folder) }
            )
        else {
            return .interrupted
        }
        crashPoints.reach("deliver.journaled", job: record.name)
        await writeReceipt(.delivered, of: delivered)
        crashPoints.reach("deliver.receipted", job: record.name)
        return await finish(delivered)
    }

    /// Fetches a spooled job's outputs again from the URLs journaled with its result (Segmind keeps outputs for days)
    /// and delivers those: a job journaled as spooled has its outputs in the spool only once the outbox refused
    /// them, and a power loss may take even those.
    private func refetch(_ record: JobRecord, summary: GenerationSummary, into folder: String) async -> Ending {
        guard let requestID = record.requestID, let text = record.result, let body = try? JSONParser().parse(Array(text.utf8)),
            let stored = SegmindClient.storedResult(body, requestID: requestID)
        else {
            return await fail(
                record,
                JobFailure(
                    stage: .write,
                    code: "outputs_lost",
                    message: "the spooled outputs are gone and the journal holds no result to fetch them from",
                    hint: "Download the outputs from Segmind's request history.",
                    requestID: record.requestID
                )
            )
        }
        logger.info("fetching a spooled job's outputs again", metadata: ["job": "\(record.name)", "spool": "\(folder)"])
        switch await fetch(stored, of: record, summary: summary) {
        case .fetched(let outputs):
            var refetched = summary
            refetched.outputs = outputs.map(\.entry)
            return await deliver(record, summary: refetched, refetched: true, fetched: outputs)
        case .ended(let ending):
            return ending
        }
    }

    /// Writes a job's `fetched` outputs into its spool folder (or, with none, flushes what is there already), then
    /// flushes the files, their folder and its entry in the spool: while the outbox refuses the job's folder, the
    /// spool keeps the paid outputs, safe from Segmind's expiry, across a power loss too. A spool that cannot take
    /// them is reported (`spool-unwritable`) and costs nothing but a second download: the next try finds the spool
    /// without them and fetches them again from the journaled URLs.
    private func keepSpool(_ spoolFolder: String, fetched: [OutputDownloader.Fetched], of record: JobRecord) async {
        let stateRoot = state.root
        let spool = state.spool
        let outputs = fetched.map { ($0.file, $0.bytes) }
        let refusal = await files.run { () -> String? in
            do throws(FileSystemError) {
                let root = try Folder.open(stateRoot)
                let folder = try root.folder(spoolFolder, creating: !outputs.isEmpty, mode: .privateFolder)
                for (file, bytes) in outputs {
                    try folder.replace(file, bytes: bytes, mode: .privateFile, syncingFolder: false)
                }
                if outputs.isEmpty {
                    for name in try folder.names() { try folder.openFile(name).sync() }
                }
                try folder.sync()
                try root.folder(spool).sync()
                return nil
            } catch {
                return outputs.isEmpty ? nil : "could not keep the outputs in the spool: \(error)"
            }
        }
        guard !outputs.isEmpty else { return }
        if let refusal {
            unwritable.refused(spool, kind: "spool-unwritable", error: refusal, job: record.name, outbox: inboxes.outbox(for: record.inbox))
        } else {
            unwritable.accepted(spool)
        }
    }

    private func finish(_ record: JobRecord) async -> Ending {
        await discardFiles(of: record)
        crashPoints.reach("done.discarded", job: record.name)
        let due = hooks.due(inbox: record.inbox, event: .done)
        guard
            await journaled("record the end of the job", record, { () async throws(JournalError) in try await journal.markDone(record.id, hooks: due) })
                != nil
        else {
            return .interrupted
        }
        crashPoints.reach("done.journaled", job: record.name)
        DaemonMetrics.finished(record, as: .done)
        if !due.isEmpty { hooks.dispatch() }
        logger.info("done", metadata: ["job": "\(record.name)", "folder": "\(record.resultFolder ?? "")"])
        return .finished
    }

    // MARK: Failure and holding

    /// Records the failure in the journal first, then delivers it: a crash in between delivers it at the next start.
    func fail(_ record: JobRecord, _ failure: JobFailure) async -> Ending {
        // A host that hung while its claim was adopted finds the claim's files gone: that is no failure of the job,
        // which the adopter finishes.
        if let ending = await standDownIfTakenOver(record) { return ending }
        let input = jobInput(record)
        let errorRecord = JobDelivery.errorRecord(
            input,
            failure: failure,
            model: record.model ?? summary(of: record)?.model,
            requestID: failure.requestID ?? record.requestID
        )
        let errorText = String(decoding: errorRecord.serialized(), as: UTF8.self)
        crashPoints.reach("fail.decided", job: record.name)
        if [.claimed, .waitingForCredits, .waitingForBudget].contains(record.state) {
            // Failed before its POST: nothing was billed, so its estimate stops counting.
            await spending.release(record)
        }
        guard
            let failed = await journaled(
                "record a failure",
                record,
                { () async throws(JournalError) in try await journal.markFailed(record.id, code: failure.code, record: errorText) }
            )
        else {
            return .interrupted
        }
        crashPoints.reach("fail.journaled", job: record.name)
        DaemonMetrics.finished(failed, as: .failed)
        logger.warning("failed", metadata: ["job": "\(record.name)", "code": "\(failure.code)", "reason": "\(failure.message)"])
        return await deliverFailure(failed)
    }

    /// Puts a failed job's folder into `failed/` (again, after a crash) and removes its claimed files.
    func deliverFailure(_ record: JobRecord) async -> Ending {
        guard let folder = await publishRecord(of: record, as: .failed) else {
            return (try? journal.job(record.id))?.state == .takenOver ? .finished : .writePending
        }
        crashPoints.reach("fail.published", job: record.name)
        await discardFiles(of: record)
        let due = hooks.due(inbox: record.inbox, event: .failed)
        let recorded = await journaled("record where a failed job went", record) { () async throws(JournalError) in
            try await journal.recordFailureDelivered(record.id, resultFolder: folder, hooks: due)
        }
        crashPoints.reach("fail.delivered", job: record.name)
        if recorded != nil, !due.isEmpty { hooks.dispatch() }
        return .finished
    }

    /// Publishes the folder of a job that ended without outputs (failed or cancelled): its journaled record and its
    /// inputs. The folder's path, or nil when the outbox refused it (reported; the caller retries with backoff).
    func publishRecord(of record: JobRecord, as outcome: JobOutcome) async -> String? {
        guard let text = record.errorRecord, let content = try? JSONParser().parse(Array(text.utf8)),
            let outbox = inboxes.outbox(for: record.inbox)
        else { return nil }
        let folder: String
        let fence = deliveryFence(record)
        do {
            let input = jobInput(record)
            folder = try await files.run { () throws(JobFailure) -> String in
                try JobDelivery(outbox: outbox, fence: fence).deliverRecord(input, record: content, outcome: outcome)
            }
        } catch {
            if error.code == JobDelivery.takenOverCode {
                logger.notice("another host adopted this job's claim; its folder is that host's to deliver", metadata: ["job": "\(record.name)"])
                _ = try? await journal.markTakenOver(record.id)
                return nil
            }
            unwritable.refused(outbox.root, kind: "outbox-unwritable", error: error.message, job: record.name, outbox: outbox)
            return nil
        }
        unwritable.accepted(outbox.root)
        return folder
    }

    private func hold(_ record: JobRecord) async -> Ending {
        // A 406 proves nothing was billed: the estimate stops counting while the job waits for credits.
        await spending.release(record)
        do {
            try await journal.holdForCredits(record.id)
        } catch {
            logger.error("a job could not be held for credits", metadata: ["job": "\(record.id)", "error": "\(error)"])
        }
        return .heldForCredits
    }

    // MARK: Helpers

    /// Runs a journal write; while the journal refuses it (a full disk, a read-only or immutable file), waits and
    /// tries again with backoff, so a job keeps what only its task knows (a request ID, a finished result) instead
    /// of giving it up. The first refusal is reported once (log and `warnings/`, naming the journal file and the
    /// error; see ``UnwritableFolders``) and the recovery too. Nil when the daemon stops first, or when the journal
    /// refuses the change itself (a wrong transition: a bug, logged, that no wait can mend).
    func journaled<T: Sendable>(_ step: String, _ record: JobRecord, _ write: () async throws(JournalError) -> T) async -> T? {
        var attempt = 0
        while true {
            attempt += 1
            do throws(JournalError) {
                let value = try await write()
                unwritable.accepted(journal.path)
                return value
            } catch {
                guard case .database = error else {
                    if case .illegalTransition(_, from: .cancelled, _) = error {
                        logger.notice("the job was cancelled meanwhile", metadata: ["job": "\(record.name)", "step": "\(step)"])
                        return nil
                    }
                    logger.error(
                        "the journal refused a change",
                        metadata: ["job": "\(record.name)", "step": "\(step)", "journal": "\(journal.path)", "error": "\(error)"]
                    )
                    return nil
                }
                unwritable.refused(
                    journal.path,
                    kind: "journal-unwritable",
                    error: "\(step): \(error)",
                    job: record.name,
                    outbox: inboxes.outbox(for: record.inbox)
                )
            }
            do {
                try await TimerClock().sleep(for: Self.journalRetry(after: attempt))
            } catch {
                return nil
            }
        }
    }

    /// The wait before trying a refused journal write again: 1 s, doubling to 30 s.
    static func journalRetry(after attempt: Int) -> Duration {
        .seconds(min(30, 1 << min(max(attempt - 1, 0), 5)))
    }

    /// The job as the pipeline sees it: the claimed copies are what is read, validated and sent.
    func jobInput(_ record: JobRecord) -> JobInput {
        inboxes.jobInput(record)
    }

    /// What was saved about the request: the journal's record of the outputs once spooled, before that the
    /// request journaled with the intent to submit (or, for a job a previous version submitted, `request.json`
    /// in its spool folder).
    func summary(of record: JobRecord) -> GenerationSummary? {
        for text in [record.outputs, record.request ?? "[]"] where text != "[]" {
            if let value = try? JSONParser().parse(Array(text.utf8)), let summary = GenerationSummary(json: value) {
                return summary
            }
        }
        guard let bytes = try? InputFile.read("\(state.spoolFolder(job: record.id))/request.json", maxBytes: 16 << 20),
            let value = try? JSONParser().parse(bytes)
        else { return nil }
        return GenerationSummary(json: value)
    }

    func discardFiles(of record: JobRecord) async {
        let claimFolder = record.claimedPath
        let spoolFolder = state.spoolFolder(job: record.id)
        let stateRoot = state.root
        let failure = await files.run { () -> FileSystemError? in
            // Each is reached from its root (the inbox holding the claim, the state folder) without following a link;
            // the claim from `.facedrop/`, opened once, rather than by its path at each step of the removal.
            try? Folder.open(stateRoot).removeTree(spoolFolder)
            do throws(FileSystemError) {
                try Folder.open(JobClaimer.inboxRoot(ofClaimFolder: claimFolder)).folder(PathNames.parent(claimFolder))
                    .removeTree(PathNames.last(claimFolder))
                return nil
            } catch {
                return Files.exists(claimFolder) ? error : nil
            }
        }
        if let failure {
            // The journal keeps the job while the folder is there, and the next start's sweep removes it.
            logger.warning(
                "a finished job's claim folder could not be removed",
                metadata: ["job": "\(record.name)", "claim": "\(claimFolder)", "error": "\(failure)"]
            )
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Seconds as a duration, to the microsecond.
    static func duration(_ seconds: TimeInterval) -> Duration {
        .microseconds(Int64((seconds * 1e6).rounded()))
    }
}

/// Both values, or nil when either is missing.
private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
