import DaemonConfiguration
import DedicatedThreads
import FileSystem
import Foundation
import HotFolder
import Logging
import Scheduling
import Synchronization

/// Keeps this host's lease fresh in every shared inbox (`shared = true`): written once at start, before anything is
/// claimed, then every `lease_interval` (see ``HostLeases``).
///
/// The lease stays when the daemon stops: it simply ages, and once it is older than `takeover_after` the other
/// hosts adopt whatever claims this host left. A lease that cannot be written is logged once until it can be
/// again; the host goes on working meanwhile, and if the share stays unwritable for longer than `takeover_after`
/// the others count it as dead, which the receipts make safe.
final class HostLeaseKeeper: Sendable {
    private let owner: String
    private let files: FileWorkPool
    private let current: Mutex<DaemonConfiguration>
    private let startedAt = Date()
    /// The inboxes whose lease could not be written last time, so each failure is logged once.
    private let failing = Mutex<Set<String>>([])
    /// The inboxes whose live hosts were last seen asking for more than the account's rate limit, with the sum then,
    /// so each new excess is logged once.
    private let oversubscribed = Mutex<[String: Int]>([:])
    /// Adopts the claims of dead hosts after each renewal, once start-up recovery is over (``recovered()``).
    private let takeover: ClaimTakeover
    private let takingOver = Mutex(false)
    /// Rung by a reload; otherwise the loop sleeps one lease interval.
    private let doorbell: Doorbell
    private let logger: Logger

    init(
        owner: String,
        files: FileWorkPool,
        takeover: ClaimTakeover,
        configuration: DaemonConfiguration,
        logger: Logger,
        clock: some Clock<Duration> = TimerClock()
    ) {
        self.doorbell = Doorbell(clock: clock)
        self.takeover = takeover
        self.owner = owner
        self.files = files
        self.current = Mutex(configuration)
        self.logger = logger
    }

    /// Takes a reloaded configuration (inboxes shared or no longer, a new lease interval) and renews at once.
    func update(_ configuration: DaemonConfiguration) {
        current.withLock { $0 = configuration }
        doorbell.ring()
    }

    private func configuration() -> DaemonConfiguration { current.withLock { $0 } }

    /// The journal's recovery is over: from now on an adopted job cannot also be resumed from the journal, so claims
    /// of dead hosts are adopted after each renewal.
    func recovered() {
        takingOver.withLock { $0 = true }
        doorbell.ring()
    }

    /// Renews the lease in every shared inbox, then again every lease interval, until the task is cancelled. Sleeps
    /// the whole interval in between: one wakeup per interval, none at all without a shared inbox.
    func run() async {
        while !Task.isCancelled {
            let configuration = configuration()
            let shared = configuration.inboxes.contains(where: \.shared)
            await doorbell.wait(until: shared ? doorbell.clock.now + configuration.hosts.leaseInterval : nil)
            if Task.isCancelled { return }
            await renewAll()
        }
    }

    /// Warns when the live hosts of a shared inbox ask for more requests a minute, together, than the account allows:
    /// Segmind's limit is per account, so each host's `requests_per_minute` must be its share of it, or the hosts
    /// meet 429s (which cost nothing, but hold every job back).
    private func checkRateShares(inbox: String, leases: HostLeases, limit: Int, takeoverAfter: Duration) async {
        guard let seen = try? await files.run({ () throws(FileSystemError) in try leases.seen() }) else { return }
        let live = seen.filter { !$0.isDead(takeoverAfter: takeoverAfter) }
        let total = live.reduce(0) { $0 + $1.lease.requestsPerMinute }
        let logged = oversubscribed.withLock { logged -> Bool in
            guard total > limit else {
                logged[inbox] = nil
                return true
            }
            defer { logged[inbox] = total }
            return logged[inbox] == total
        }
        guard !logged else { return }
        logger.warning(
            "the live hosts of a shared inbox ask for more requests a minute than the account allows; lower requests_per_minute on each",
            metadata: [
                "inbox": "\(inbox)", "account_requests_per_minute": "\(limit)", "hosts_requests_per_minute": "\(total)",
                "hosts": "\(live.map { "\($0.lease.host) \($0.lease.requestsPerMinute)" })",
            ]
        )
    }

    /// Writes this host's lease into every shared inbox now.
    func renewAll() async {
        let configuration = configuration()
        for inbox in configuration.inboxes where inbox.shared {
            let lease = HostLease(
                owner: owner,
                host: Files.hostName(),
                pid: ProcessInfo.processInfo.processIdentifier,
                interval: configuration.hosts.leaseInterval,
                takeoverAfter: configuration.hosts.takeoverAfter,
                requestsPerMinute: configuration.api.requestsPerMinute,
                startedAt: startedAt,
                renewedAt: Date()
            )
            let leases = HostLeases(inboxRoot: inbox.path, owner: owner)
            do {
                try await files.run { () throws(FileSystemError) in try leases.renew(lease) }
                if failing.withLock({ $0.remove(inbox.name) }) != nil {
                    logger.notice("the host lease is written again", metadata: ["inbox": "\(inbox.name)"])
                }
                if takingOver.withLock({ $0 }) {
                    await takeover.adoptDeadClaims(in: inbox, takeoverAfter: configuration.hosts.takeoverAfter)
                }
                if let limit = configuration.hosts.accountRequestsPerMinute {
                    await checkRateShares(inbox: inbox.name, leases: leases, limit: limit, takeoverAfter: configuration.hosts.takeoverAfter)
                }
            } catch {
                if failing.withLock({ $0.insert(inbox.name).inserted }) {
                    logger.error(
                        "could not renew this host's lease in a shared inbox; past takeover_after the other hosts adopt its claims",
                        metadata: ["inbox": "\(inbox.name)", "lease": "\(leases.folder)/\(leases.leaseName)", "error": "\(error)"]
                    )
                }
            }
        }
    }
}
