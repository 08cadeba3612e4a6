import DedicatedThreads
package import Foundation
package import Logging
package import Outbox
import StrictJSON

/// Owns the daemon's knowledge of the account's credits, and tells people about it through files
/// (docs/protocol.md §4).
///
/// Every answer that carries a balance (a submit's `remaining_credits`, a result's metrics, the free
/// `/v1/get-user-credits`) goes to ``record(remaining:)``; a 406 "not enough credits" goes to
/// ``exhausted(message:)``. The monitor keeps `credits.json` current in every outbox and writes a
/// warning file and one log line when the balance crosses below `warn_below` — once per crossing, not
/// once per job — and when credits run out, once per exhaustion. While exhausted, the daemon pauses
/// submissions and parks in ``waitUntilCreditsReturn(check:interval:)``, which asks the free credits
/// endpoint now and then and returns when a balance is back.
///
/// Files are written only when something changed, so a busy daemon does not rewrite `credits.json`
/// for every poll; a write that failed (a full or read-only outbox) is tried again at the next change.
/// A change of state (ok, low, exhausted) is written at once; a change of the balance alone at most once
/// per `balanceInterval`, the newest balance last, so a daemon finishing a hundred jobs a second does not
/// also rewrite and sync `credits.json` twice for each of them.
///
/// Two clocks: `now` gives the wall-clock times written into the files, `clock` times the waits (the
/// balance interval, the credits checks), so tests move through them without waiting.
package actor CreditsMonitor {
    private var outboxes: [OutboxFolders]
    private var warnBelow: Double
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let clock: ElapsedClock

    private var current: CreditsState
    /// Whether a fall below `warn_below` writes a warning: true until one is written, again once the
    /// balance is back at or above the threshold.
    private var lowWarningArmed = true
    /// What each outbox's `credits.json` holds (by outbox root), to write only what changed.
    private var written: [String: CreditsState] = [:]
    /// Whether a ``waitUntilCreditsReturn(check:interval:)`` is asking Segmind; other waiters only watch.
    private var checking = false
    /// The shortest time between two writes of `credits.json` for a change of the balance alone.
    private let balanceInterval: Duration
    private var lastWrite: ElapsedClock.Instant?
    /// The write of a balance change that came within `balanceInterval` of the last write.
    private var deferredWrite: Task<Void, Never>?

    package init(
        outboxes: [OutboxFolders],
        warnBelow: Double,
        logger: Logger,
        balanceInterval: Duration = .zero,
        clock: some Clock<Duration> = TimerClock(),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.outboxes = outboxes
        self.warnBelow = warnBelow
        self.logger = logger
        self.balanceInterval = balanceInterval
        self.now = now
        self.clock = ElapsedClock(clock)
        self.current = CreditsState(remaining: nil, warnBelow: warnBelow, level: .unknown, updatedAt: nil)
    }

    /// Whether Segmind refused a submit for want of credits and they have not come back since.
    package var isExhausted: Bool { current.level == .exhausted }

    /// The balance and level as they stand.
    package func state() -> CreditsState { current }

    /// Writes `credits.json` into every outbox as it stands, changed or not: at start-up, so that a
    /// stale file from the last run does not linger until the first balance is heard of.
    package func publish() {
        written = [:]
        publishChanges()
    }

    /// Takes a reloaded configuration's outboxes and `warn_below`: a new outbox gets `credits.json` at once,
    /// and warnings go to the outboxes in force, not to the ones the daemon started with.
    package func update(outboxes: [OutboxFolders], warnBelow: Double) {
        self.outboxes = outboxes
        if warnBelow != self.warnBelow {
            self.warnBelow = warnBelow
            current.warnBelow = warnBelow
            if let remaining = current.remaining, current.level != .exhausted {
                lowWarningArmed = remaining >= warnBelow
                update(remaining: remaining, level: remaining < warnBelow ? .low : .ok)
            }
            written = [:]
        }
        publishChanges()
    }

    /// Records a balance heard from Segmind; `nil` (the answer carried none) changes nothing.
    ///
    /// Crossing below `warn_below` writes one `credits-low` warning and one log line. While credits are
    /// exhausted the balance is noted but submissions stay paused, unless it is back at or above
    /// `warn_below` (and above zero): a small positive balance may still be below a model's cost.
    package func record(remaining: Double?) {
        guard let remaining, remaining.isFinite else { return }
        if current.level == .exhausted {
            if remaining > 0, remaining >= warnBelow {
                creditsReturned(remaining)
            } else {
                update(remaining: remaining, level: .exhausted)
            }
            return
        }
        if remaining < warnBelow {
            update(remaining: remaining, level: .low)
            if lowWarningArmed {
                lowWarningArmed = false
                alert(
                    kind: "credits-low",
                    message: "The Segmind balance fell below the warning threshold.",
                    hint: "Top up credits in the Segmind console before they run out; jobs then pause until they are back."
                )
            }
        } else {
            lowWarningArmed = true
            update(remaining: remaining, level: .ok)
        }
        publishBalance()
    }

    /// Writes a balance change that is still waiting for its interval now: at shutdown, so the file the
    /// daemon leaves behind holds the last balance it heard.
    package func flush() {
        publishChanges()
    }

    /// Segmind refused a submit for want of credits: submissions pause, and one `credits-exhausted`
    /// warning is written for this exhaustion (more refusals before credits return add nothing).
    package func exhausted(message: String) {
        guard current.level != .exhausted else { return }
        // The warning of the exhaustion says it all; a small balance after a top-up needs no second one.
        lowWarningArmed = false
        update(remaining: current.remaining, level: .exhausted)
        alert(
            kind: "credits-exhausted",
            message: message,
            hint: "Top up credits in the Segmind console; waiting jobs stay queued and resume by themselves."
        )
        publishChanges()
    }

    /// While credits are exhausted, asks `check` every `interval` for the balance (the daemon passes the
    /// free `/v1/get-user-credits`) and returns once it is above zero, recorded (state ok or low).
    /// Returns at once when credits are not exhausted, and when the task is cancelled.
    ///
    /// Any number of jobs may wait here; only one of them asks Segmind at a time, the others watch.
    /// A failing `check` is logged and tried again at the next interval.
    package func waitUntilCreditsReturn(check: @Sendable () async throws -> Double?, interval: Duration) async {
        while current.level == .exhausted {
            do {
                try await clock.sleep(for: interval)
            } catch {
                return
            }
            guard current.level == .exhausted, !checking else { continue }
            checking = true
            let answer: Double?
            do {
                answer = try await check()
            } catch {
                logger.debug("credits check failed", metadata: ["error": "\(error)"])
                answer = nil
            }
            checking = false
            guard let answer, answer.isFinite, current.level == .exhausted else { continue }
            if answer > 0 {
                creditsReturned(answer)
                return
            }
            update(remaining: answer, level: .exhausted)
            publishChanges()
        }
    }

    // MARK: State and files

    private func creditsReturned(_ remaining: Double) {
        lowWarningArmed = remaining >= warnBelow
        update(remaining: remaining, level: remaining < warnBelow ? .low : .ok)
        logger.notice("credits are back; submissions resume", metadata: ["credits.remaining": "\(remaining)"])
        appendLog(["event": "credits_returned", "remaining": .number(remaining)])
        publishChanges()
    }

    private func update(remaining: Double?, level: CreditsState.Level) {
        guard remaining != current.remaining || level != current.level else { return }
        current.remaining = remaining
        current.level = level
        current.updatedAt = now()
    }

    /// Writes a change of state at once, and a change of the balance alone no sooner than `balanceInterval`
    /// after the last write (then with the newest balance).
    private func publishBalance() {
        let stateChanged = outboxes.contains { written[$0.root]?.level != current.level }
        guard !stateChanged, let lastWrite, clock.now < lastWrite + balanceInterval else {
            publishChanges()
            return
        }
        guard deferredWrite == nil else { return }
        deferredWrite = Task(executorPreference: ExecutorPreference.current) { [balanceInterval, clock] in
            do {
                try await clock.sleep(until: lastWrite + balanceInterval)
            } catch {
                return
            }
            await self.publishChanges()
        }
    }

    /// Writes `credits.json` into every outbox whose copy differs from the current state.
    private func publishChanges() {
        // Whatever is written now includes the balance a deferred write was waiting to write.
        deferredWrite?.cancel()
        deferredWrite = nil
        let bytes = current.json.serialized(pretty: true) + [0x0A]
        for outbox in outboxes where written[outbox.root] != current {
            do throws(OutboxError) {
                // A report, rewritten at every change of the balance (up to once a second, about once a job): no
                // promise rests on it, so the outbox folder is not flushed for it. Its content is flushed before the
                // rename, so a reader never sees a part; a power loss may only leave the balance written before.
                try outbox.replace(outbox.creditsFile, bytes: bytes, syncingFolder: false)
                written[outbox.root] = current
                lastWrite = clock.now
            } catch {
                logger.warning("credits.json could not be written", metadata: ["path": "\(outbox.creditsFile)", "error": "\(error)"])
            }
        }
    }

    /// Writes one warning file and one log line into every outbox, and one line to the daemon's log.
    private func alert(kind: String, message: String, hint: String) {
        let time = now()
        let remaining = current.remaining.map(JSONValue.number) ?? .null
        let warning: JSONValue = [
            "kind": .string(kind),
            "time": .string(time.formatted(.iso8601)),
            "message": .string(message),
            "hint": .string(hint),
            "remaining": remaining,
            "warn_below": .number(warnBelow),
        ]
        for outbox in outboxes {
            do throws(OutboxError) {
                try outbox.writeWarning(warning, kind: kind, at: time)
            } catch {
                logger.warning("a credits warning could not be written", metadata: ["folder": "\(outbox.warnings)", "error": "\(error)"])
            }
        }
        logger.warning(
            "\(kind): \(message)",
            metadata: ["credits.remaining": "\(remaining)", "credits.warn_below": "\(warnBelow)"]
        )
        appendLog(
            [
                "event": .string(kind.replacingOccurrences(of: "-", with: "_")), "message": .string(message), "remaining": remaining,
                "warn_below": .number(warnBelow),
            ],
            at: time
        )
    }

    /// Appends one event to every outbox's JSONL log.
    private func appendLog(_ event: [String: JSONValue], at time: Date? = nil) {
        let time = time ?? now()
        for outbox in outboxes {
            do throws(OutboxError) {
                try outbox.log(event, at: time)
            } catch {
                logger.warning("the outbox log could not be written", metadata: ["folder": "\(outbox.logs)", "error": "\(error)"])
            }
        }
    }
}
