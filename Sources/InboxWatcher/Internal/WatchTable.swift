/// The watcher's own wd ↔ path map.
///
/// libinotifytools' filename records go wrong after a folder is renamed or deleted, so paths come only
/// from here: filled when a watch is added, emptied when a folder leaves the tree.
struct WatchTable: Sendable {
    /// The roots handed to `watch(tree:)`, normalised.
    private(set) var roots: [String] = []
    /// The watch on the private wake folder; its events are never emitted and it is not counted.
    var wakeWd: Int32?
    private var pathByWd: [Int32: String] = [:]
    private var wdByPath: [String: Int32] = [:]

    /// How many inbox folders are watched.
    var count: Int { pathByWd.count }

    /// Every watched wd.
    var allWds: [Int32] { Array(pathByWd.keys) }

    func path(of wd: Int32) -> String? { pathByWd[wd] }

    func isRoot(_ path: String) -> Bool { roots.contains(path) }

    /// True when `path` lies in the tree of one of `roots`.
    func isCovered(_ path: String) -> Bool {
        roots.contains { PathName.isInside(path, $0) }
    }

    mutating func addRoot(_ root: String) {
        if !roots.contains(root) { roots.append(root) }
    }

    mutating func removeRoot(_ root: String) {
        roots.removeAll { $0 == root }
    }

    /// Maps `wd` to `path`, replacing whatever either of them mapped to before (the kernel hands out the
    /// same wd for the same folder, whatever its name now is).
    mutating func record(_ wd: Int32, path: String) {
        if let old = pathByWd[wd], old != path { wdByPath.removeValue(forKey: old) }
        if let old = wdByPath[path], old != wd { pathByWd.removeValue(forKey: old) }
        pathByWd[wd] = path
        wdByPath[path] = wd
    }

    /// Drops one wd; returns its path.
    @discardableResult
    mutating func forget(wd: Int32) -> String? {
        guard let path = pathByWd.removeValue(forKey: wd) else { return nil }
        wdByPath.removeValue(forKey: path)
        return path
    }

    /// The wds of `folder` and every watched folder below it.
    func wds(inside folder: String) -> [Int32] {
        wdByPath.compactMap { PathName.isInside($0.key, folder) ? $0.value : nil }
    }

    /// Drops `folder` and everything below it; returns the dropped wds.
    mutating func forgetTree(_ folder: String) -> [Int32] {
        let dropped = wds(inside: folder)
        for wd in dropped { forget(wd: wd) }
        return dropped
    }

    /// Drops every watch but keeps the roots and the wake watch, before a full re-walk.
    mutating func forgetAllWatches() {
        pathByWd.removeAll()
        wdByPath.removeAll()
    }
}
