package import struct Foundation.Date

/// Files that waited too long for the rest of their job; they go to `failed/` with `reason`.
package struct OrphanFiles: Sendable, Hashable {
    /// The folder holding the files, absolute.
    package var folder: String
    /// `folder` relative to the inbox root; empty at the top.
    package var subpath: String
    /// The stem the files share (for a pose named by a sidecar: the sidecar's stem).
    package var stem: String
    /// Sorted by path, which is also the order they are claimed in.
    package var files: [FileSnapshot]
    /// A sentence for `error.json`, e.g. "photo.jpg waited 600 s for photo.json".
    package var reason: String
    /// The wall-clock time the first of the files was first seen.
    package var droppedAt: Date

    package init(folder: String, subpath: String, stem: String, files: [FileSnapshot], reason: String, droppedAt: Date) {
        self.folder = folder
        self.subpath = subpath
        self.stem = stem
        self.files = files.sorted { $0.path < $1.path }
        self.reason = reason
        self.droppedAt = droppedAt
    }
}
