/// Why something could not be written to the outbox.
package enum OutboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A system call failed.
    case system(operation: String, path: String, errno: Int32)
    /// A job folder name could not be found after many tries.
    case noFreeName(String)

    package var description: String {
        switch self {
        case .system(let operation, let path, let code):
            return "\(operation) \(path): \(FileSystem.describe(errno: code))"
        case .noFreeName(let name):
            return "no free folder name for \(name)"
        }
    }
}
