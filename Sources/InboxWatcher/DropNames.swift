/// The names an inbox never treats as input (docs/protocol.md §2), in one place for the watcher and the scanner.
///
/// Producers write under temporary names and rename when done (browsers, rsync, office suites, editors),
/// so a name that matches here is a file still being written or one nobody meant to drop.
package enum DropNames {
    /// Endings of partial downloads and editor swap files, compared without regard to case because
    /// Windows producers often write them in capitals.
    static let ignoredSuffixes = [".tmp", ".part", ".partial", ".crdownload", ".swp"]

    /// True for dotfiles and dot-folders (which includes facedrop's own `.facedrop` working folder),
    /// `*.tmp`, `*.part`, `*.partial`, `*.crdownload`, `*.swp` and Office lock files `~$*`.
    package static func isIgnored(_ name: String) -> Bool {
        if name.isEmpty || name.hasPrefix(".") || name.hasPrefix("~$") { return true }
        let lowered = name.lowercased()
        return ignoredSuffixes.contains { lowered.hasSuffix($0) }
    }
}
