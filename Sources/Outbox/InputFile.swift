/// Reading dropped files, which are untrusted.
public enum InputFile {
    /// The bytes of a regular file no larger than `maxBytes`; links, FIFOs and devices are refused.
    public static func read(_ path: String, maxBytes: Int) throws(InputFileError) -> [UInt8] {
        try FileSystem.readRegularFile(path, maxBytes: maxBytes)
    }
}

/// Why a dropped file could not be taken.
public enum InputFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case notRegularFile(String)
    case tooLarge(String, size: Int, limit: Int)
    case unreadable(String, String)
    case changedWhileReading(String)

    public var description: String {
        switch self {
        case .notRegularFile(let path):
            return "\(path) is not a regular file (links, FIFOs and devices are refused)"
        case .tooLarge(let path, let size, let limit):
            return "\(path) is \(size) bytes, over the limit of \(limit)"
        case .unreadable(let path, let reason):
            return "\(path) cannot be read: \(reason)"
        case .changedWhileReading(let path):
            return "\(path) changed while it was read"
        }
    }
}
