/// Why a file could not be hashed.
package enum HashingError: Error, Sendable, CustomStringConvertible, Equatable {
    /// `open(2)` failed with `errno`.
    case cannotOpen(path: String, errno: Int32)
    /// `read(2)` failed with `errno` part-way through the file.
    case readFailed(path: String, errno: Int32)

    package var description: String {
        switch self {
        case .cannotOpen(let path, let errno):
            "cannot open \(path) for hashing: \(errorMessage(errno)) (errno \(errno))"
        case .readFailed(let path, let errno):
            "cannot read \(path) while hashing: \(errorMessage(errno)) (errno \(errno))"
        }
    }
}
