import FileSystem
import Foundation

/// Writes files so that a reader never sees a partial one: a temporary name in the same folder,
/// flushed, renamed into place, and the folder flushed.
///
/// The rename replaces whatever has the final name, a planted symbolic link included, without following
/// it; the temporary file is created with `O_EXCL | O_NOFOLLOW`, so no link is followed on the way either.
/// Inside an outbox, ``OutboxFolders/replace(_:bytes:)`` does the same without following a link on the way.
package enum AtomicFile {
    package static func write(_ bytes: [UInt8], to path: String) throws(OutboxError) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        do { try Files.replace(path, bytes: bytes, temporaryName: temporaryName(for: name)) } catch { throw .file(error) }
    }

    /// `.<name>.<uuid>.tmp`, the name shortened so that the whole stays within NAME_MAX even when `name`
    /// itself is 255 bytes long; the start-up sweep recognises it by its leading dot and `.tmp`.
    static func temporaryName(for name: String) -> String {
        ".\(FileNames.prefix(of: name, maxBytes: 64)).\(FileNames.unique()).tmp"
    }
}
