extension MetricsConfiguration {
    /// The table as `facedrop check` prints it: `textfile = /var/lib/…/facedrop.prom every 15 s; listen = 127.0.0.1:9469`.
    var configurationText: String {
        guard isEnabled else { return "off (no textfile, no listen)" }
        var parts: [String] = []
        if let textfile { parts.append("textfile = \(textfile) every \(interval.configurationText)") }
        if let listen { parts.append("listen = \(listen)" + (listen.isLoopback ? "" : " (reachable from other machines: allow_remote = true)")) }
        return parts.joined(separator: "; ")
    }
}
