/// Finds the known key a misspelt one was meant to be.
enum KeySuggestion {
    /// The known key within an edit distance of 2 (or 1 for short keys), or `nil`.
    static func nearest(to key: String, among known: [String]) -> String? {
        let limit = key.count <= 4 ? 1 : 2
        return
            known
            .map { ($0, distance(Array(key.lowercased()), Array($0))) }
            .filter { $0.1 <= limit }
            .min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, right) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
