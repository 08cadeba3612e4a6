package import SystemPackage

/// Why a file operation failed: what was done, on which path, and the system's answer (or the rule the file
/// broke). The one error type of every file operation in facedrop.
package struct FileSystemError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Reason: Sendable, Hashable {
        /// The system call failed with this errno.
        case system(Errno)
        /// A link, FIFO, device, socket or folder where a regular file was expected.
        case notRegularFile
        /// A regular file that has other names (hard links): it may be a file from elsewhere.
        case hardLinked(links: Int)
        /// Larger than the caller accepts.
        case tooLarge(size: Int64, limit: Int)
        /// The file shrank while it was read.
        case changedWhileReading
        /// A relative path that climbs out of its folder (`..`) or is empty where a name is needed.
        case outsideFolder
    }

    /// The operation, in the system call's words (`open`, `rename`, `mkdir`).
    package var operation: String
    /// The path as the caller named it.
    package var path: String
    package var reason: Reason

    package init(_ operation: String, path: String, reason: Reason) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    package init(_ operation: String, path: String, errno: Errno) {
        self.init(operation, path: path, reason: .system(errno))
    }

    /// Something other than a folder has the name where a folder is needed (ENOTDIR).
    package static func notAFolder(_ operation: String, path: String) -> FileSystemError {
        FileSystemError(operation, path: path, errno: .notDirectory)
    }

    /// Nothing has the name the operation needs (ENOENT).
    package static func notFound(_ operation: String, path: String) -> FileSystemError {
        FileSystemError(operation, path: path, errno: .noSuchFileOrDirectory)
    }

    /// Every name tried is taken (EEXIST).
    package static func alreadyExists(_ operation: String, path: String) -> FileSystemError {
        FileSystemError(operation, path: path, errno: .fileExists)
    }

    /// A path the operation does not accept (EINVAL).
    package static func invalidPath(_ operation: String, path: String) -> FileSystemError {
        FileSystemError(operation, path: path, errno: .invalidArgument)
    }

    /// The errno, when the system refused.
    package var errno: Errno? {
        if case .system(let code) = reason { return code }
        return nil
    }

    /// The errno's number, when the system refused.
    package var code: Int32? { errno?.rawValue }

    /// The path (or a folder on the way) does not exist.
    package var isNotFound: Bool { errno == .noSuchFileOrDirectory }
    /// Something already has that name.
    package var isAlreadyExisting: Bool { errno == .fileExists || errno == .directoryNotEmpty }
    /// Another process holds the lock.
    package var isWouldBlock: Bool { errno == .wouldBlock || errno == .resourceTemporarilyUnavailable }

    /// The system's text for the reason: `Read-only file system (errno 30)`.
    package var reasonText: String {
        switch reason {
        case .system(let code): "\(Syscalls.describe(code)) (errno \(code.rawValue))"
        case .notRegularFile: "not a regular file (a link, folder, FIFO or device)"
        case .hardLinked(let links): "the file has \(links) names (hard links); only a file with one name is taken"
        case .tooLarge(let size, let limit): "\(size) bytes, more than the \(limit) allowed"
        case .changedWhileReading: "the file changed while it was read"
        case .outsideFolder: "the path leaves its folder"
        }
    }

    package var description: String { "\(operation) \(path): \(reasonText)" }
}
