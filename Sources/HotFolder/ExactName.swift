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

    // Both compare and hash the UTF-8 as one buffer: the tracker keys every file by name, and the UTF-8
    // view's iterator, or one `combine` per byte, cost several times as much.
    static func == (left: ExactName, right: ExactName) -> Bool {
        guard left.text.utf8.count == right.text.utf8.count else { return false }
        var left = left.text
        var right = right.text
        return left.withUTF8 { leftBytes in right.withUTF8 { leftBytes.elementsEqual($0) } }
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        hasher.combine(text.utf8.count)
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
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
