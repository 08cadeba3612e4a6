import FileSystem

/// A one-shot `lstat`-based walk of an inbox tree, for the startup scan, after an overflow, for a new
/// folder and periodically: it finds what inotify events missed.
package enum FolderScanner {
    /// Walks `root` recursively. Skips ignored names (``DropNames``) and dot-folders, never follows a
    /// symlinked folder (the link is listed as a file of kind `.symlink`), and lists names that are not
    /// valid UTF-8 in `problems` instead of the files. The root itself may be a symlink to a folder.
    package static func scan(_ root: String) -> FolderScan {
        let root = PathName.normalized(root)
        var scan = FolderScan()
        switch FileSystem.status(root, follow: true) {
        case .success(let status) where status.kind == .directory:
            break
        case .success:
            scan.problems.append("\(root): not a folder")
            return scan
        case .failure(let error):
            scan.problems.append("\(root): \(error)")
            return scan
        }
        var pending = [root]
        while let folder = pending.popLast() {
            scan.folders.append(folder)
            let entries: [FileSystem.Entry]
            switch FileSystem.list(folder) {
            case .success(let list):
                entries = list
            case .failure(let error):
                // A folder removed while the walk ran is not a problem; the consumer sees it gone.
                if error != .noSuchFile, error != .notFolder { scan.problems.append("\(folder): cannot list: \(error)") }
                continue
            }
            var subfolders: [String] = []
            for entry in entries {
                guard let name = entry.name else {
                    scan.problems.append(FolderScan.undecodableName(entry.displayName, in: folder))
                    continue
                }
                if DropNames.isIgnored(name) { continue }
                let path = PathName.join(folder, name)
                switch FileSystem.status(path) {
                case .success(let status) where status.kind == .directory:
                    subfolders.append(path)
                case .success(let status):
                    scan.files.append(ScannedFile(path: path, status: status))
                case .failure(let error):
                    if error != .noSuchFile { scan.problems.append("\(path): \(error)") }
                }
            }
            // Reversed onto the stack, so folders are walked in name order.
            pending.append(contentsOf: subfolders.sorted().reversed())
        }
        scan.files.sort { $0.path < $1.path }
        return scan
    }
}
