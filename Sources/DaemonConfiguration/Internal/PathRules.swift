/// Lexical path handling: the configuration names folders that may not exist yet, so nothing here
/// touches the filesystem.
enum PathRules {
    /// `path` without repeated `/`, `.`, `..` and a trailing `/`, or `nil` unless it is absolute.
    static func normalized(_ path: String) -> String? {
        guard path.hasPrefix("/"), !path.utf8.contains(0) else { return nil }
        var components: [Substring] = []
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// Whether `path` is `folder` or lies somewhere below it. Both must be normalized.
    static func isSameOrInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder == "/" ? "/" : folder + "/")
    }
}
