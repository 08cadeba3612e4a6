/// The `[metrics]` table: where facedrop's Prometheus metrics go. Absent or empty, no metrics are kept.
public struct MetricsConfiguration: Sendable, Hashable {
    /// Where `GET /metrics` is served: an IPv4 address and a port.
    public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: UInt16

        public init(host: String, port: UInt16) {
            self.host = host
            self.port = port
        }

        /// `127.0.0.0/8`: reachable from this machine only.
        public var isLoopback: Bool { host.split(separator: ".").first == "127" }

        public var description: String { "\(host):\(port)" }
    }

    /// The node_exporter textfile to rewrite (`textfile`, an absolute path ending in `.prom`); nil for none.
    public var textfile: String?

    /// How often the textfile is rewritten (`interval`, seconds). The file is also written when the daemon stops.
    public var interval: Duration

    /// Where `GET /metrics` is served (`listen = "127.0.0.1:9469"`); nil for no endpoint.
    public var listen: ListenAddress?

    /// Whether `listen` may be an address other machines reach (`allow_remote`). The metrics name inboxes and
    /// spending, and the endpoint has no authentication, so loopback is the default.
    public var allowRemote: Bool

    public init(textfile: String? = nil, interval: Duration = .seconds(15), listen: ListenAddress? = nil, allowRemote: Bool = false) {
        self.textfile = textfile
        self.interval = interval
        self.listen = listen
        self.allowRemote = allowRemote
    }

    /// Whether anything is exported; when not, `facedrop run` keeps no metrics at all.
    public var isEnabled: Bool { textfile != nil || listen != nil }
}
