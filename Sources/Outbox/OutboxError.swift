package import FileSystem

/// Why something could not be written to the outbox.
package enum OutboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file operation failed.
    case file(FileSystemError)
    /// A job folder name could not be found after many tries.
    case noFreeName(String)

    package var description: String {
        switch self {
        case .file(let error):
            return "\(error)"
        case .noFreeName(let name):
            return "no free folder name for \(name)"
        }
    }
}
