import Logging
import Synchronization

/// Named moments in a job's life at which the daemon can be made to kill itself with SIGKILL, for fault
/// tests that must land a `kill -9` on one exact step (a journal write, the wait for the request budget, a
/// delivery step) rather than somewhere near it.
///
/// Off unless `FACEDROP_CRASH_POINT=<name>:<n>` is set: the `n`th time any job reaches the moment `name`, the
/// daemon logs `crash point <name> reached` with the job and sends itself SIGKILL, so nothing after that
/// moment runs, exactly as if the machine had lost power or an operator had killed it there. Every name is
/// listed in ``all``; an unknown name is refused at start, so a test cannot sweep a moment that no longer
/// exists.
final class CrashPoints: Sendable {
    /// The variable that arms a crash point.
    static let environmentVariable = "FACEDROP_CRASH_POINT"

    /// Every crash point, in the order a job meets them.
    static let all: [String] = [
        "claim.recorded",  // claim.json written, no file moved yet
        "claim.moved",  // the files are in the claim folder, not yet in the journal
        "claim.journaled",  // the claim is in the journal
        "submit.turn",  // about to ask the request budget for a turn
        "submit.waiting",  // about to wait for a turn, the budget being spent
        "submit.intent",  // the intent to submit is on disk, the POST not sent
        "submit.answered",  // Segmind answered the POST, the request ID not yet journaled
        "submit.journaled",  // the request ID is on disk
        "poll.answered",  // a poll answered "still running", not yet journaled
        "poll.journaled",  // a poll's outcome is on disk
        "result.answered",  // a poll found the request finished, its result not yet journaled
        "result.journaled",  // the finished result (output URLs) is on disk, nothing downloaded
        "download.partial",  // some outputs are fetched (in memory), not all
        "outputs.fetched",  // every output is fetched and checked, not yet journaled
        "spool.journaled",  // the outputs are journaled as spooled, nothing written to the spool or the outbox
        "deliver.published",  // the job folder is in the outbox, not yet journaled
        "deliver.journaled",  // the delivery is on disk in the journal
        "deliver.receipted",  // a shared inbox's claim has the receipt of the delivery, the claim not yet removed
        "done.discarded",  // the claim folder and spool are removed, `done` not yet journaled
        "done.journaled",  // `done` is on disk
        "fail.decided",  // a job is to fail, the failure not yet journaled
        "fail.journaled",  // a failure is on disk in the journal, its folder not yet in failed/
        "fail.published",  // the failed/ folder is in the outbox, not yet journaled
        "fail.delivered",  // where the failed/ folder went is on disk
    ]

    private let name: String?
    private let hit: Int
    private let count = Atomic<Int>(0)
    private let logger: Logger

    /// Reads `FACEDROP_CRASH_POINT` from `environment`.
    init(environment: [String: String], logger: Logger) throws(DaemonError) {
        self.logger = logger
        guard let value = environment[Self.environmentVariable], !value.isEmpty else {
            name = nil
            hit = 0
            return
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, Self.all.contains(String(parts[0])), let hit = parts.count == 2 ? Int(parts[1]) : 1, hit >= 1 else {
            throw .crashPoint(value, known: Self.all)
        }
        name = String(parts[0])
        self.hit = hit
        logger.warning("a crash point is armed: the daemon kills itself with SIGKILL there", metadata: ["point": "\(value)"])
    }

    /// No crash point armed.
    static let none = CrashPoints()

    private init() {
        name = nil
        hit = 0
        logger = Logger(label: "facedrop")
    }

    /// Whether `point` is the armed one: lets a caller skip work it would only do to decide whether to reach it.
    func isArmed(_ point: String) -> Bool {
        name == point
    }

    /// A job reached the moment `point`: if it is the armed one, for the armed time, the process dies here.
    func reach(_ point: String, job: @autoclosure () -> String) {
        guard let name, name == point else { return }
        assert(Self.all.contains(point), "unknown crash point \(point)")
        guard count.add(1, ordering: .sequentiallyConsistent).newValue == hit else { return }
        logger.critical("crash point reached: SIGKILL", metadata: ["point": "\(point)", "hit": "\(hit)", "job": "\(job())"])
        POSIX.killSelf()
    }
}
