/// Reads the keys of one TOML table, recording a problem for each wrong type or out-of-range value
/// and, at the end, for each key nobody asked about.
struct TableReader {
    /// How the table is named in problems: `[api]`, `[[inbox]] #2 "portraits"`.
    let label: String
    let table: [String: TOMLNode]
    /// Every key the table may hold; anything else is reported as unknown.
    let knownKeys: [String]

    /// The longest duration accepted anywhere: a week. Bigger numbers are typos, and would overflow
    /// `Duration` long before they made sense.
    static let maximumSeconds = 604_800.0

    func problem(_ key: String, _ message: String, into problems: inout [String]) {
        problems.append("\(label) \(key): \(message)")
    }

    func string(_ key: String, into problems: inout [String]) -> String? {
        guard let node = table[key] else { return nil }
        guard case .string(let text) = node else {
            problem(key, "must be a string, got \(node.kindDescription)", into: &problems)
            return nil
        }
        return text
    }

    func integer(_ key: String, in range: ClosedRange<Int>, into problems: inout [String]) -> Int? {
        guard let node = table[key] else { return nil }
        guard case .integer(let value) = node else {
            problem(key, "must be an integer, got \(node.kindDescription)", into: &problems)
            return nil
        }
        guard range.contains(value) else {
            problem(key, "must be from \(range.lowerBound) to \(range.upperBound), got \(value)", into: &problems)
            return nil
        }
        return value
    }

    func number(_ key: String, atLeast minimum: Double, into problems: inout [String]) -> Double? {
        guard let (node, value) = numeric(key, expected: "a number", into: &problems) else { return nil }
        guard value.isFinite, value >= minimum else {
            problem(key, "must be a finite number of at least \(minimum), got \(node.brief)", into: &problems)
            return nil
        }
        return value
    }

    /// A duration written as seconds (an integer or a float).
    ///
    /// - Parameter minimum: The smallest number of seconds accepted; `nil` means "more than 0".
    func duration(_ key: String, atLeast minimum: Double? = nil, into problems: inout [String]) -> Duration? {
        guard let (node, seconds) = numeric(key, expected: "a number of seconds", into: &problems) else { return nil }
        let bound = minimum.map { "at least \(Duration.seconds($0).configurationText)" } ?? "more than 0 s"
        // Durations are kept in whole milliseconds; "more than 0" must survive that rounding.
        let tooSmall = minimum.map { seconds < $0 } ?? ((seconds * 1000).rounded() <= 0)
        guard seconds.isFinite, !tooSmall, seconds <= Self.maximumSeconds else {
            problem(
                key,
                "must be a number of seconds, \(bound) and at most \(Int(Self.maximumSeconds)), got \(node.brief)",
                into: &problems
            )
            return nil
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// An integer or a float, as a `Double`, with the node for the problem text.
    private func numeric(_ key: String, expected: String, into problems: inout [String]) -> (TOMLNode, Double)? {
        switch table[key] {
        case nil:
            return nil
        case .integer(let integer)?:
            return (.integer(integer), Double(integer))
        case .float(let float)?:
            return (.float(float), float)
        case let node?:
            problem(key, "must be \(expected), got \(node.kindDescription)", into: &problems)
            return nil
        }
    }

    func bool(_ key: String, into problems: inout [String]) -> Bool? {
        guard let node = table[key] else { return nil }
        guard case .bool(let value) = node else {
            problem(key, "must be true or false, got \(node.kindDescription)", into: &problems)
            return nil
        }
        return value
    }

    /// An absolute path, normalized lexically: repeated `/`, `.` and a trailing `/` go, `..` takes
    /// its parent away. Comparing inboxes and outboxes needs one spelling per folder.
    func absolutePath(_ key: String, into problems: inout [String]) -> String? {
        guard let text = string(key, into: &problems) else { return nil }
        guard let normalized = PathRules.normalized(text) else {
            problem(
                key,
                "must be an absolute path (starting with /), got \(TOMLNode.string(text).brief)",
                into: &problems
            )
            return nil
        }
        return normalized
    }

    func table(_ key: String, into problems: inout [String]) -> [String: TOMLNode]? {
        guard let node = table[key] else { return nil }
        guard case .table(let table) = node else {
            problem(key, "must be a table, got \(node.kindDescription)", into: &problems)
            return nil
        }
        return table
    }

    /// Reports every key that is neither known nor a secret (secrets have their own problem), with
    /// the nearest known key when one is close, since most unknown keys are typos.
    func reportUnknownKeys(into problems: inout [String]) {
        for key in table.keys.sorted() where !knownKeys.contains(key) && !SecretKeys.isSecret(key) {
            let suggestion = KeySuggestion.nearest(to: key, among: knownKeys).map { " (did you mean \"\($0)\"?)" } ?? ""
            problems.append(
                "\(label) unknown key \"\(key)\"\(suggestion); known keys: \(knownKeys.joined(separator: ", "))"
            )
        }
    }
}
