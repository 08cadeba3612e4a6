/// A file name or path compared byte for byte, as the file system compares it.
///
/// Swift compares `String`s by canonical equivalence: `"café"` written with `é` (U+00E9) and with `e`
/// plus a combining acute (U+0301) are equal strings, equal dictionary keys and members of one set. On
/// Linux they are two different files that look the same. Keying the tracker's files by `String` would
/// merge two such jobs into one (or pair one's face with the other's sidecar); this key keeps them apart.
struct ExactName: Hashable, Comparable, Sendable, CustomStringConvertible {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (left: ExactName, right: ExactName) -> Bool {
        left.text.utf8.elementsEqual(right.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(text.utf8.count)
        for byte in text.utf8 { hasher.combine(byte) }
    }

    /// Byte order, which is also the order of Unicode scalars.
    static func < (left: ExactName, right: ExactName) -> Bool {
        left.text.utf8.lexicographicallyPrecedes(right.text.utf8)
    }

    /// Whether this path lies strictly below the folder `folder`.
    func isBelow(_ folder: String) -> Bool {
        text.utf8.starts(with: (folder + "/").utf8)
    }

    var description: String { text }
}
