import Journal
import SystemdService

extension Daemon {
    /// The job loop's beat under systemd: `WATCHDOG=1` when `WatchdogSec=` is set, and a fresh `STATUS=`
    /// line either way. Nil outside systemd, so an idle daemon there never wakes for it.
    static func heartbeat(notifier: ServiceNotifier, status: @escaping @Sendable (_ inFlight: Int) -> String) -> Heartbeat? {
        guard notifier.isEnabled else { return nil }
        let watchdog = notifier.watchdogInterval
        return Heartbeat(interval: watchdog ?? .seconds(15)) { inFlight in
            var states: [ServiceState] = [.status(status(inFlight))]
            if watchdog != nil { states.append(.watchdog) }
            notifier.send(states)
        }
    }

    /// The `systemctl status` line: `Watching 2 inboxes: 3 queued, 1 in flight, 12 done, 0 failed`.
    static func status(journal: JobJournal, inboxes: Int, inFlight: Int) -> String {
        let watching = "Watching \(inboxes) inbox\(inboxes == 1 ? "" : "es")"
        guard let counts = try? journal.countsByState() else { return watching }
        let queued = (counts[.claimed] ?? 0) + (counts[.waitingForCredits] ?? 0) + (counts[.waitingForBudget] ?? 0)
        let reasons = [(JobState.waitingForCredits, "credits"), (.waitingForBudget, "budget")].filter { (counts[$0.0] ?? 0) > 0 }.map(\.1)
        let held = reasons.isEmpty ? "" : " (held for \(reasons.joined(separator: " and ")))"
        return "\(watching): \(queued) queued\(held), \(inFlight) in flight, \(counts[.done] ?? 0) done, \(counts[.failed] ?? 0) failed"
    }
}
