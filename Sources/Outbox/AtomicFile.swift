import Foundation

/// Writes files so that a reader never sees a partial one: a temporary name in the same folder,
/// flushed, renamed into place, and the folder flushed.
///
/// The rename replaces whatever has the final name, a planted symbolic link included, without following
/// it; the temporary file is created with `O_EXCL | O_NOFOLLOW`, so no link is followed on the way either.
package enum AtomicFile {
    package static func write(_ bytes: [UInt8], to path: String) throws(OutboxError) {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = "\(folder)/\(temporaryName(for: (path as NSString).lastPathComponent))"
        try FileSystem.createDurably(temporary, bytes: bytes)
        do {
            try FileSystem.rename(temporary, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        try FileSystem.syncDirectory(folder.isEmpty ? "." : folder)
    }

    /// `.<name>.<uuid>.tmp`, the name shortened so that the whole stays within NAME_MAX even when `name`
    /// itself is 255 bytes long; the start-up sweep recognises it by its leading dot and `.tmp`.
    static func temporaryName(for name: String) -> String {
        ".\(FileNames.prefix(of: name, maxBytes: 64)).\(UUID().uuidString).tmp"
    }
}
