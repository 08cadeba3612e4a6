/// The result of one ``FolderScanner/scan(_:)``: what was there, and what could not be looked at.
package struct FolderScan: Sendable {
    /// Every file, symlink and special file outside ignored names and dot-folders.
    package var files: [ScannedFile]
    /// Absolute paths of the folders walked, the root first.
    package var folders: [String]
    /// Readable messages for what was skipped: unreadable folders, names that are not valid UTF-8.
    package var problems: [String]

    package init(files: [ScannedFile] = [], folders: [String] = [], problems: [String] = []) {
        self.files = files
        self.folders = folders
        self.problems = problems
    }
}

extension FolderScan {
    /// The problem reported for a file whose name is not valid UTF-8, by a scan and by an event alike: it is
    /// left in place, because facedrop could not name it again.
    static func undecodableName(_ displayName: String, in folder: String) -> String {
        "\(folder): left in place: \(displayName): the name is not valid UTF-8 (bytes that are not are shown as \\xHH); rename the file to take it"
    }
}
