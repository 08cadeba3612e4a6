import FileSystem

/// Writes files into an inbox folder as a producer should: each under a hidden name (which the intake ignores),
/// flushed, then renamed into place, the sidecars last, so the intake sees each pair whole.
///
/// Used where facedrop itself drops jobs: a retry puts a job's inputs back, and a sidecar that asks for variations
/// becomes one plain drop per variation. Both may be interrupted by a crash and done again, so a file already in
/// place with the same bytes counts as written; any other file of that name stops everything before a byte is
/// written.
enum InboxDrops {
    /// Why the files could not be placed.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// Places `files` (name → bytes) in `folder`, a folder at or below `inboxRoot` (made if missing), reached from
    /// the root without following links.
    static func place(_ files: [(name: String, bytes: [UInt8])], in folder: String, inboxRoot: String) throws(Refusal) {
        do {
            let inbox = try Folder.open(inboxRoot)
            let target = folder == inboxRoot ? inbox : try inbox.folder(String(folder.dropFirst(inboxRoot.count + 1)), creating: true)
            let ordered = files.sorted { ($0.name.hasSuffix(".json") ? 1 : 0, $0.name) < ($1.name.hasSuffix(".json") ? 1 : 0, $1.name) }
            var missing: [(name: String, bytes: [UInt8])] = []
            for file in ordered {
                if try target.status(file.name) != nil {
                    guard (try? target.read(file.name, limit: 64 << 20)) == file.bytes else {
                        throw Refusal(description: "a different file named \(file.name) is in \(folder) already")
                    }
                } else {
                    missing.append(file)
                }
            }
            for file in missing {
                let hidden = ".facedrop-drop-\(file.name)"
                try? target.remove(hidden)
                try target.create(hidden, bytes: file.bytes)
                if try !target.move(hidden, to: file.name, replacing: false) {
                    try? target.remove(hidden)
                    throw Refusal(description: "a file named \(file.name) appeared in \(folder) meanwhile")
                }
            }
            try target.sync()
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal(description: "the files could not be written into \(folder): \(error)")
        }
    }
}
