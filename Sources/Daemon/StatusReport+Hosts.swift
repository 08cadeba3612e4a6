import DaemonConfiguration
import FileSystem
import Foundation
import HotFolder
import StrictJSON

extension StatusReport {
    /// The `hosts` object of `facedrop status`: for each shared inbox, every host with a lease there, how old the
    /// lease is on the share's clock, whether that makes the host dead, its `requests_per_minute`, and the claims it
    /// holds; with the live hosts' requests a minute added up against the account's limit.
    static func hosts(_ configuration: DaemonConfiguration, owner: String) -> JSONValue {
        var inboxes: [String: JSONValue] = [:]
        for inbox in configuration.inboxes where inbox.shared {
            let leases = HostLeases(inboxRoot: inbox.path, owner: owner, reader: .status)
            let claims = leases.claimsByOwner()
            let seen: [SeenHost]
            do {
                seen = try leases.seen()
            } catch {
                inboxes[inbox.name] = ["error": .string("\(error)")]
                continue
            }
            let takeoverAfter = configuration.hosts.takeoverAfter
            var hosts: [JSONValue] = seen.map { host in
                [
                    "host": .string(host.lease.host),
                    "owner": .string(host.lease.owner),
                    "pid": .integer(Int64(host.lease.pid)),
                    "lease_age_seconds": .number((Double(host.age.components.seconds) + Double(host.age.components.attoseconds) / 1e18).rounded()),
                    "alive": .bool(!host.isDead(takeoverAfter: takeoverAfter)),
                    "requests_per_minute": .integer(Int64(host.lease.requestsPerMinute)),
                    "claims": .integer(Int64(claims[host.lease.owner] ?? 0)),
                ]
            }
            let leased = Set(seen.map(\.lease.owner))
            for (owner, count) in claims.sorted(by: { $0.key < $1.key }) where !leased.contains(owner) {
                hosts.append(["owner": .string(owner), "lease_age_seconds": .null, "alive": .bool(false), "claims": .integer(Int64(count))])
            }
            let live = seen.filter { !$0.isDead(takeoverAfter: takeoverAfter) }
            inboxes[inbox.name] = [
                "hosts": .array(hosts),
                "live_requests_per_minute": .integer(Int64(live.reduce(0) { $0 + $1.lease.requestsPerMinute })),
                "account_requests_per_minute": configuration.hosts.accountRequestsPerMinute.map { .integer(Int64($0)) } ?? .null,
            ]
        }
        return .object(inboxes)
    }

    /// The hosts as lines for people.
    var hostLines: [String] {
        guard let inboxes = hosts.objectValue, !inboxes.isEmpty else { return [] }
        var lines: [String] = []
        for (name, inbox) in inboxes.sorted(by: { $0.key < $1.key }) {
            if let error = inbox["error"]?.stringValue {
                lines.append("hosts of \(name): cannot be read (\(error))")
                continue
            }
            var header = "hosts of \(name) (shared): live hosts ask for \(inbox["live_requests_per_minute"]?.int64Value ?? 0) requests a minute"
            if let limit = inbox["account_requests_per_minute"]?.int64Value { header += " of the account's \(limit)" }
            lines.append(header)
            for host in inbox["hosts"]?.arrayValue ?? [] {
                let age = host["lease_age_seconds"]?.doubleValue.map { "lease \(Int($0)) s old" } ?? "no lease"
                let alive = host["alive"]?.boolValue == true ? "alive" : "dead or stopped"
                let rate = host["requests_per_minute"]?.int64Value.map { ", \($0) requests a minute" } ?? ""
                lines.append(
                    "  \(host["host"]?.stringValue ?? host["owner"]?.stringValue ?? "?"): \(alive), \(age)\(rate), \(host["claims"]?.int64Value ?? 0) claims"
                )
            }
        }
        return lines
    }
}
