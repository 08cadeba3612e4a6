import Foundation

/// Writes files so that a reader never sees a partial one: a temporary name in the same folder,
/// flushed, renamed into place, and the folder flushed.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(OutboxError) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = "\(folder)/.\(name).\(UUID().uuidString).tmp"
        try FileSystem.createDurably(temporary, bytes: bytes)
        do {
            try FileSystem.rename(temporary, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        try FileSystem.syncDirectory(folder.isEmpty ? "." : folder)
    }
}
