/// A sidecar that failed validation, with every problem found (not only the first) so that one
/// round of editing fixes it.
public struct SidecarRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// What makes the sidecar unusable. Never empty.
    public let issues: [ValidationIssue]
    /// What would have been noted had it passed.
    public let warnings: [ValidationIssue]

    public init(issues: [ValidationIssue], warnings: [ValidationIssue]) {
        self.issues = issues
        self.warnings = warnings
    }

    /// A heading, then each problem and warning on its own line.
    public var description: String {
        let count = issues.count
        var lines = ["the sidecar has \(count) problem\(count == 1 ? "" : "s"):"]
        lines += issues.map { "  - \($0)" }
        lines += warnings.map { "  warning: \($0)" }
        return lines.joined(separator: "\n")
    }
}
