package import Foundation
package import StrictJSON

/// What a host sharing an inbox says about itself in its lease file (`<inbox>/.facedrop/hosts/<id>.json`).
///
/// The file's content is for people and for `facedrop status`; whether the host is alive is decided on the
/// file's modification time alone, read against the share's own clock (see ``HostLeases``), because the hosts'
/// clocks may disagree and the writer's `renewed_at` is only what its own clock said.
package struct HostLease: Sendable, Hashable {
    static let format: Int64 = 1

    /// The claim owner this host writes into `claim.json` (host name and state folder).
    package var owner: String
    /// The host's name.
    package var host: String
    /// The daemon's process ID on its host.
    package var pid: Int32
    /// How often the lease is renewed.
    package var interval: Duration
    /// How long the lease may go unrenewed before the other hosts adopt this host's claims.
    package var takeoverAfter: Duration
    /// The host's own `requests_per_minute`: its share of the account's rate limit.
    package var requestsPerMinute: Int
    /// When the daemon started, and when it last renewed the lease (both by its own clock).
    package var startedAt: Date
    package var renewedAt: Date

    package init(
        owner: String,
        host: String,
        pid: Int32,
        interval: Duration,
        takeoverAfter: Duration,
        requestsPerMinute: Int,
        startedAt: Date,
        renewedAt: Date
    ) {
        self.owner = owner
        self.host = host
        self.pid = pid
        self.interval = interval
        self.takeoverAfter = takeoverAfter
        self.requestsPerMinute = requestsPerMinute
        self.startedAt = startedAt
        self.renewedAt = renewedAt
    }

    package var json: JSONValue {
        [
            "format": .integer(Self.format),
            "owner": .string(owner),
            "host": .string(host),
            "pid": .integer(Int64(pid)),
            "interval_seconds": .integer(interval.components.seconds),
            "takeover_after_seconds": .integer(takeoverAfter.components.seconds),
            "requests_per_minute": .integer(Int64(requestsPerMinute)),
            "started_at": .string(startedAt.formatted(.iso8601)),
            "renewed_at": .string(renewedAt.formatted(.iso8601)),
        ]
    }

    /// A lease from its file's JSON, if it is one this version wrote.
    package init?(_ document: JSONValue) {
        guard document["format"]?.int64Value == Self.format, let owner = document["owner"]?.stringValue else { return nil }
        let date = { (key: String) in document[key]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) } ?? .distantPast }
        self.init(
            owner: owner,
            host: document["host"]?.stringValue ?? "?",
            pid: Int32(clamping: document["pid"]?.int64Value ?? 0),
            interval: .seconds(document["interval_seconds"]?.int64Value ?? 0),
            takeoverAfter: .seconds(document["takeover_after_seconds"]?.int64Value ?? 0),
            requestsPerMinute: Int(clamping: document["requests_per_minute"]?.int64Value ?? 0),
            startedAt: date("started_at"),
            renewedAt: date("renewed_at")
        )
    }
}
