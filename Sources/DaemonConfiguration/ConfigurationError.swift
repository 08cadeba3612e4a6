/// Why a configuration could not be loaded.
///
/// `facedrop check` and `facedrop run` print the description and exit with 78 (`EX_CONFIG`), so it is
/// written for the person editing the file: every problem at once, one per line.
public enum ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not valid TOML. Lines and columns count from 1.
    case syntax(line: Int, column: Int, message: String)
    /// The file is valid TOML but describes an unusable configuration.
    case invalid(problems: [String])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the configuration \(path): \(reason)"
        case .syntax(let line, let column, let message):
            "TOML syntax error at line \(line), column \(column): \(message)"
        case .invalid(let problems):
            (["the configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"):"]
                + problems.map { "  - \($0)" }).joined(separator: "\n")
        }
    }
}
