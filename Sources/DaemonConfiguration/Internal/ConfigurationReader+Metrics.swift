/// The `[metrics]` table.
extension ConfigurationReader {
    static func readMetrics(_ table: [String: TOMLNode], into problems: inout [String]) -> MetricsConfiguration {
        let reader = TableReader(label: "[metrics]", table: table, knownKeys: ["textfile", "interval", "listen", "allow_remote"])
        reader.reportUnknownKeys(into: &problems)
        var metrics = MetricsConfiguration()
        if let path = reader.absolutePath("textfile", into: &problems) {
            if path.hasSuffix(".prom") {
                metrics.textfile = path
            } else {
                // node_exporter's textfile collector reads only `*.prom`: any other name would be written and never read.
                reader.problem("textfile", "must end in .prom (node_exporter reads only those), got \(TOMLNode.string(path).brief)", into: &problems)
            }
        }
        metrics.interval = reader.duration("interval", atLeast: 1, into: &problems) ?? metrics.interval
        metrics.allowRemote = reader.bool("allow_remote", into: &problems) ?? metrics.allowRemote
        if let text = reader.string("listen", into: &problems) {
            if let address = Self.listenAddress(text) {
                if address.isLoopback || metrics.allowRemote {
                    metrics.listen = address
                } else {
                    reader.problem(
                        "listen",
                        "\(address) is not a loopback address; the endpoint has no authentication, so serve it on 127.0.0.1 "
                            + "(scraped through a proxy) or set allow_remote = true",
                        into: &problems
                    )
                }
            } else {
                reader.problem("listen", "must be an IPv4 address and a port such as \"127.0.0.1:9469\", got \(TOMLNode.string(text).brief)", into: &problems)
            }
        }
        return metrics
    }

    /// `a.b.c.d:port` with four decimal octets and a port from 1 to 65535 (0, "any free port", for tests too).
    static func listenAddress(_ text: String) -> MetricsConfiguration.ListenAddress? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }) else { return nil }
        return MetricsConfiguration.ListenAddress(host: String(parts[0]), port: port)
    }
}
