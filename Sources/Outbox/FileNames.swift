import Hashing

/// Names built from dropped names, kept within the file system's limit of 255 bytes (NAME_MAX).
///
/// A dropped name may already be 255 bytes long, so anything facedrop derives from it (`<job>-1.png`,
/// `<job>_2`, a temporary `.<name>.<uuid>.tmp`) would fail with ENAMETOOLONG and a paid result could not
/// be filed. A name that does not fit is cut at a character boundary and marked with a hash of the whole
/// name, so two long names that differ only at their ends still give different names.
package enum FileNames {
    /// NAME_MAX on Linux file systems, in bytes.
    package static let maxBytes = 255

    /// `base + suffix` when that fits in ``maxBytes``; otherwise the longest prefix of `base` that leaves room
    /// for `~`, eight hex digits of the SHA-256 of `base`, and `suffix`.
    package static func fitting(_ base: String, suffix: String) -> String {
        guard base.utf8.count + suffix.utf8.count > maxBytes else { return base + suffix }
        let mark = "~" + SHA256.hash(Array(base.utf8)).hex.prefix(8)
        return prefix(of: base, maxBytes: maxBytes - mark.utf8.count - suffix.utf8.count) + mark + suffix
    }

    /// The longest prefix of `text` that has at most `maxBytes` UTF-8 bytes and ends between two characters.
    package static func prefix(of text: String, maxBytes: Int) -> String {
        var end = text.startIndex
        var count = 0
        for character in text {
            count += character.utf8.count
            guard count <= maxBytes else { break }
            end = text.index(after: end)
        }
        return String(text[..<end])
    }
}
