import FileSystem

/// A job's own folder under `.facedrop-staging/`, where its files are written while no reader looks, held open
/// from the moment it is made until it is published.
///
/// ``AtomicFile`` hides a partial file from readers with a temporary name, a rename and a flush of the folder for
/// each file. Inside a fresh staging folder that is not needed: the whole folder appears at once when
/// ``OutboxFolders/publish(_:outcome:subpath:job:)`` renames it, after flushing it and its `input/`. So a file
/// is created here under its final name (`O_EXCL`, never through a link) and its data flushed, which saves a
/// rename and a folder flush per file on every delivery.
///
/// The folder and its `input/` are opened once, when ``OutboxFolders/makeStagingFolder(named:)`` makes them, and
/// every file is created relative to them. Reached again from the outbox's root for each file, as paths, they
/// cost four `openat` and four `close` per file: some twenty of each a job, more than the files themselves.
///
/// A write never makes the folder again. One taken away meanwhile (renamed, then removed, by a host that adopted
/// the job's shared claim: see `JobDelivery.Fence`) takes what is written through it along, and publishing, which
/// moves the folder by its name, finds nothing there.
package struct StagingFolder: Sendable {
    /// The folder's path: `<outbox>/.facedrop-staging/<name>`.
    package let path: String
    let folder: Folder
    let input: Folder

    init(path: String, folder: Folder, input: Folder) {
        self.path = path
        self.folder = folder
        self.input = input
    }

    /// Writes the new file `name` into the folder and flushes it; nothing may have the name, and a partly written
    /// file is removed.
    package func write(_ bytes: [UInt8], named name: String) throws(OutboxError) {
        do { try folder.create(name, bytes: bytes) } catch { throw .file(error) }
    }

    /// Writes the new file `name` into the folder's `input/`, as ``write(_:named:)`` does.
    package func writeInput(_ bytes: [UInt8], named name: String) throws(OutboxError) {
        do { try input.create(name, bytes: bytes) } catch { throw .file(error) }
    }
}
