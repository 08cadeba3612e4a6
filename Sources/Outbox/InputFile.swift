import FileSystem

/// Reading dropped files, which are untrusted.
package enum InputFile {
    /// The bytes of a regular file no larger than `maxBytes`; links, FIFOs and devices are refused.
    package static func read(_ path: String, maxBytes: Int) throws(InputFileError) -> [UInt8] {
        try read(path, maxBytes: maxBytes, singleName: false)
    }

    /// The bytes of a file dropped into an inbox: as ``read(_:maxBytes:)``, and the file must have no other
    /// name. A hard link can give a file outside the inbox (one the daemon may read but the dropper may not)
    /// a name inside it; a file with more than one name is therefore refused unread. A producer that links
    /// a finished file into place removes its other name before the inbox's settle time has passed.
    package static func readDropped(_ path: String, maxBytes: Int) throws(InputFileError) -> [UInt8] {
        try read(path, maxBytes: maxBytes, singleName: true)
    }

    private static func read(_ path: String, maxBytes: Int, singleName: Bool) throws(InputFileError) -> [UInt8] {
        do {
            return try Files.read(path, limit: maxBytes, singleName: singleName)
        } catch {
            switch error.reason {
            case .notRegularFile: throw .notRegularFile(path)
            case .hardLinked(let links): throw .hardLinked(path, links: links)
            case .tooLarge(let size, let limit): throw .tooLarge(path, size: Int(size), limit: limit)
            case .changedWhileReading: throw .changedWhileReading(path)
            case .system, .outsideFolder: throw .unreadable(path, error.reasonText)
            }
        }
    }
}

/// Why a dropped file could not be taken.
package enum InputFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case notRegularFile(String)
    case tooLarge(String, size: Int, limit: Int)
    case unreadable(String, String)
    case changedWhileReading(String)
    /// The file has `links` names (hard links); only files with a single name are taken from an inbox.
    case hardLinked(String, links: Int)

    package var description: String {
        switch self {
        case .notRegularFile(let path):
            return "\(path) is not a regular file (links, FIFOs and devices are refused)"
        case .tooLarge(let path, let size, let limit):
            return "\(path) is \(size) bytes, over the limit of \(limit)"
        case .unreadable(let path, let reason):
            return "\(path) cannot be read: \(reason)"
        case .changedWhileReading(let path):
            return "\(path) changed while it was read"
        case .hardLinked(let path, let links):
            return "\(path) has \(links) names (hard links), so it may be a file from outside the inbox; it was not read"
        }
    }
}
