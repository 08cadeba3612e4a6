package import FileSystem

/// The node_exporter textfile: Prometheus text written whole or not at all.
///
/// node_exporter's textfile collector may read the file at any moment, so it is never written in place: the text
/// goes to a temporary file in the same folder (a dotfile not ending in `.prom`, which the collector ignores) that is
/// then renamed over the file, as prometheus-community's textfile scripts do with `sponge`. A reader sees the
/// previous text or the new one, never half of one. The file is world-readable (node_exporter runs as its own user).
///
/// Nothing is flushed to disk: the write never waits on the disk (it runs on the daemon's task threads, and an idle
/// daemon that syncs a file every interval would wake for each flush), and the file is only a snapshot that the next
/// interval rewrites. A power loss may leave it empty or old until then.
package struct MetricsTextfile: Sendable {
    /// Where the file goes, e.g. `/var/lib/node_exporter/textfile/facedrop.prom`.
    package let path: String

    package init(path: String) {
        self.path = path
    }

    /// Replaces the file with `text`.
    package func write(_ text: [UInt8]) throws(FileSystemError) {
        try Files.replace(path, bytes: text, mode: .sharedFile, durably: false)
    }
}
