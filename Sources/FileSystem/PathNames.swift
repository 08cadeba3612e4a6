import SystemPackage

/// A path's last name and the folder it is in, as `NSString`'s `lastPathComponent` and
/// `deletingLastPathComponent` give them, worked out by swift-system's `FilePath` on the path's bytes.
///
/// Every job's claim, preparation and delivery name files this way several times; bridged through `NSString`
/// (a CoreFoundation string built and normalised each time) those calls cost more than the rest of the step.
package enum PathNames {
    /// The last name of `path`: `c.jpg` for `/a/b/c.jpg` and for `/a/b/c.jpg/`; `/` for `/`; empty for an empty path.
    package static func last(_ path: String) -> String {
        let file = FilePath(path)
        return file.lastComponent?.string ?? (file.root != nil ? "/" : "")
    }

    /// The folder `path` is in: `/a/b` for `/a/b/c.jpg`, `/` for `/c`, empty for `c`.
    package static func parent(_ path: String) -> String {
        FilePath(path).removingLastComponent().string
    }
}
