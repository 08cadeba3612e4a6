/// Writes a file into a job's own staging folder, where no reader looks until the folder is published.
///
/// ``AtomicFile`` hides a partial file from readers with a temporary name, a rename and a flush of the folder
/// for each file. Inside a fresh staging folder that is not needed: the whole folder appears at once when
/// ``OutboxFolders/publish(staged:outcome:subpath:job:)`` renames it, after flushing it and its subfolders. So a
/// staged file is created under its final name (`O_EXCL`, never through a link, nor through a link on the way
/// from the outbox's root) and its data flushed, which saves a rename and a directory sync per file on every
/// delivery.
///
/// The staging folder is never made again here: one taken away meanwhile (by a host that adopted the job's shared
/// claim, see `JobDelivery.Fence`) makes the write fail instead of filling a new folder that would be published.
package enum StagedFile {
    package static func write(_ bytes: [UInt8], to path: String, in outbox: OutboxFolders) throws(OutboxError) {
        try outbox.create(path, bytes: bytes, creatingFolders: false)
    }
}
