package import Logging

/// A swift-log handler for a daemon's standard error: one line per message, readable by people and by
/// journald.
///
/// Under systemd (`JOURNAL_STREAM` names our stderr) each line starts with a `<N>` syslog priority, which
/// journald turns into the entry's priority, and carries no timestamp (journald adds its own). Elsewhere
/// lines start with an ISO 8601 time and the level. Either way control characters in the message and the
/// metadata are escaped: a file name in a shared inbox may hold a newline, and it must not be able to forge
/// a second log line.
///
/// ```swift
/// let style = ServiceLogHandler.Style.detect(environment: ProcessInfo.processInfo.environment)
/// LoggingSystem.bootstrap { ServiceLogHandler(label: $0, style: style) }
/// ```
package struct ServiceLogHandler: LogHandler {
    /// How lines are written.
    package enum Style: Sendable, Equatable {
        /// `<5>message key=value`, for journald.
        case journal
        /// `2026-11-21T10:00:00.000Z notice message key=value`, for a terminal or a file.
        case plain

        /// ``journal`` when `JOURNAL_STREAM` names the device and inode of this process's standard error, as
        /// `systemd.exec(5)` recommends checking (a child whose stderr was redirected inherits the variable).
        package static func detect(environment: [String: String]) -> Style {
            detect(environment: environment, standardError: StandardError.identity)
        }

        static func detect(environment: [String: String], standardError: String?) -> Style {
            guard let stream = environment["JOURNAL_STREAM"], let standardError, stream == standardError else { return .plain }
            return .journal
        }
    }

    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .info
    package let label: String
    let style: Style
    private let output: @Sendable ([UInt8]) -> Void

    /// Writes to standard error.
    package init(label: String, style: Style) {
        self.init(label: label, style: style, output: StandardError.write)
    }

    /// Writes each finished line (with its newline) to `output`; for tests and other streams.
    package init(label: String, style: Style, output: @escaping @Sendable ([UInt8]) -> Void) {
        self.label = label
        self.style = style
        self.output = output
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        output(Array(line(level: event.level, message: "\(event.message)", metadata: merged).utf8))
    }
}
