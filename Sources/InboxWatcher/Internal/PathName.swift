/// Plain string path arithmetic: no file system access, no normalisation of `..`.
enum PathName {
    /// An absolute path without trailing slashes (relative paths are taken from the current folder).
    static func normalized(_ path: String) -> String {
        var path = path.hasPrefix("/") ? path : join(FileSystem.currentFolder(), path)
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder == "/" ? "/" + name : folder + "/" + name
    }

    /// (parent folder, last component) of an absolute path.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        let folder = slash == path.startIndex ? "/" : String(path[..<slash])
        return (folder, String(path[path.index(after: slash)...]))
    }

    /// True when `path` is `folder` or lies below it.
    static func isInside(_ path: String, _ folder: String) -> Bool {
        if path == folder { return true }
        return path.hasPrefix(folder == "/" ? "/" : folder + "/")
    }
}
