import FacedropTestSupport
import Foundation
import Journal
import Synchronization

/// A clock the tests move by hand, so ages and run times are exact.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }

    var function: @Sendable () -> Date {
        { self.now }
    }
}

/// A fresh state directory, a clock and a journal opened on both.
struct JournalFixture {
    let directory: TemporaryDirectory
    let clock = TestClock()
    let journal: JobJournal

    init() throws {
        directory = try TemporaryDirectory(prefix: "facedrop-journal")
        journal = try JobJournal(stateDirectory: directory.path, now: clock.function)
    }

    func reopen() throws -> JobJournal {
        try JobJournal(stateDirectory: directory.path, now: clock.function)
    }
}

extension JobClaim {
    /// A job named `name` in an inbox, dropped and ready at `readyAt`.
    static func sample(
        _ name: String,
        model: String? = "pulid-base",
        priority: Int = 0,
        readyAt: Date = Date(timeIntervalSince1970: 1_800_000_000)
    ) -> JobClaim {
        JobClaim(
            inbox: "/srv/inbox",
            subpath: "team",
            name: name,
            claimedPath: "/srv/inbox/.facedrop/\(name)",
            facePath: "/srv/inbox/.facedrop/\(name)/\(name).jpg",
            sidecarPath: "/srv/inbox/.facedrop/\(name)/\(name).json",
            model: model,
            priority: priority,
            droppedAt: readyAt.addingTimeInterval(-2),
            readyAt: readyAt
        )
    }
}

extension JobJournal {
    /// Claims `name` and moves it to `state` along the legal path.
    @discardableResult
    func job(named name: String, in state: JobState, model: String? = "pulid-base") async throws -> JobRecord {
        var job = try await recordClaim(.sample(name, model: model))
        let path: [JobState] =
            switch state {
            case .claimed: []
            case .submitting: [.submitting]
            case .submitted: [.submitting, .submitted]
            case .spooled: [.submitting, .submitted, .spooled]
            case .delivered: [.submitting, .submitted, .spooled, .delivered]
            case .done: [.submitting, .submitted, .spooled, .delivered, .done]
            case .failed: [.failed]
            case .waitingForCredits: [.waitingForCredits]
            case .waitingForBudget: [.waitingForBudget]
            case .cancelled: [.cancelled]
            case .takenOver: [.submitting, .submitted, .takenOver]
            }
        for step in path {
            job = try await advance(job.id, to: step)
        }
        return job
    }

    /// The one legal transition into `state` with plausible values.
    func advance(_ id: Int64, to state: JobState) async throws -> JobRecord {
        switch state {
        case .claimed:
            if try job(id)?.state == .waitingForBudget { try await releaseFromBudget(id) } else { try await releaseFromCredits(id) }
        case .submitting: try await markSubmitting(id)
        case .submitted:
            try await recordSubmitted(
                id,
                requestID: "req-\(id)",
                statusURL: "https://api.segmind.com/v2/requests/req-\(id)/status",
                responseURL: "https://api.segmind.com/v2/requests/req-\(id)"
            )
        case .spooled: try await recordSpooled(id, spoolPath: "/var/lib/facedrop/spool/\(id)", outputs: #"[{"file":"a-1.png"}]"#)
        case .delivered: try await markDelivered(id, resultFolder: "/srv/outbox/done/team/job\(id)")
        case .done: try await markDone(id)
        case .failed: try await markFailed(id, code: "failed", record: #"{"code":"failed"}"#)
        case .waitingForCredits: try await holdForCredits(id)
        case .waitingForBudget: try await holdForBudget(id)
        case .cancelled: try await markCancelled(id, record: #"{"code":"cancelled"}"#)
        case .takenOver: try await markTakenOver(id)
        }
    }
}
