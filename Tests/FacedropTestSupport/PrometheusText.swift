/// Prometheus text exposition (version 0.0.4) read strictly, as `promtool check metrics` would: tests parse what
/// facedrop exports with it and look samples up by name and labels.
///
/// Checked: every line is a comment, a `# TYPE`, or a sample `name{label="value",…} number`; names and label names
/// are valid; label values use only the three escapes; each family is typed once, before its samples; counters are
/// not negative; a histogram's buckets are cumulative, end in `le="+Inf"`, and that bucket equals `_count`.
public struct PrometheusText: Sendable {
    public struct Sample: Sendable, Hashable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public enum Problem: Error, CustomStringConvertible {
        case line(Int, String, String)
        case family(String, String)

        public var description: String {
            switch self {
            case .line(let number, let line, let reason): "line \(number) \"\(line)\": \(reason)"
            case .family(let name, let reason): "\(name): \(reason)"
            }
        }
    }

    public private(set) var samples: [Sample] = []
    /// The type of each family (`counter`, `gauge`, `histogram`, `summary`, `untyped`).
    public private(set) var types: [String: String] = [:]

    public init(_ text: String) throws(Problem) {
        guard text.isEmpty || text.hasSuffix("\n") else { throw .family("(text)", "does not end with a line feed") }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let number = index + 1
            let line = String(line)
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", maxSplits: 3).map(String.init)
                guard words.count >= 2, words[0] == "#" else { continue }
                if words[1] == "TYPE" {
                    guard words.count == 4, Self.isName(words[2]),
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(words[3])
                    else { throw .line(number, line, "a malformed TYPE line") }
                    guard types[words[2]] == nil else { throw .line(number, line, "the family is typed twice") }
                    guard !samples.contains(where: { Self.family(of: $0.name, types: [words[2]: words[3]]) == words[2] }) else {
                        throw .line(number, line, "TYPE after the family's samples")
                    }
                    types[words[2]] = words[3]
                }
                continue
            }
            guard !line.isEmpty else { throw .line(number, line, "an empty line") }
            samples.append(try Self.sample(line, number: number))
        }
        try check()
    }

    /// The value of the sample `name` whose labels include `labels`; nil when there is none, and the sum when several
    /// match (all models of an inbox, say).
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.isEmpty ? nil : matching.map(\.value).reduce(0, +)
    }

    // MARK: Implementation

    private static func sample(_ line: String, number: Int) throws(Problem) -> Sample {
        var rest = Substring(line)
        let name = String(rest.prefix { $0 != "{" && $0 != " " })
        guard isName(name) else { throw .line(number, line, "the metric name is not valid") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0 != "=" })
                guard isLabelName(label), labels[label] == nil else { throw .line(number, line, "a label name is not valid or repeated") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw .line(number, line, "a label value is not quoted") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let character = rest.popFirst() else { throw .line(number, line, "a label value is not closed") }
                    if character == "\"" { break }
                    if character == "\\" {
                        switch rest.popFirst() {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw .line(number, line, "an unknown escape in a label value")
                        }
                    } else {
                        value.append(character)
                    }
                }
                labels[label] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw .line(number, line, "labels are not separated by commas") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw .line(number, line, "no space before the value") }
        let fields = rest.dropFirst().split(separator: " ")
        guard (1...2).contains(fields.count), let value = Self.number(String(fields[0])) else { throw .line(number, line, "the value is not a number") }
        if fields.count == 2, Int64(fields[1]) == nil { throw .line(number, line, "the timestamp is not an integer") }
        return Sample(name: name, labels: labels, value: value)
    }

    private func check() throws(Problem) {
        for sample in samples {
            guard let family = Self.family(of: sample.name, types: types) else { throw .family(sample.name, "a sample without a TYPE line") }
            if types[family] == "counter", sample.value < 0 { throw .family(sample.name, "a negative counter") }
        }
        for (family, type) in types where type == "histogram" {
            var series: [[String: String]: [(le: Double, count: Double)]] = [:]
            for sample in samples where sample.name == "\(family)_bucket" {
                guard let bound = sample.labels["le"], let le = Self.number(bound) else { throw .family(family, "a bucket without a valid le") }
                var key = sample.labels
                key["le"] = nil
                series[key, default: []].append((le, sample.value))
            }
            for (labels, buckets) in series {
                guard buckets.map(\.le) == buckets.map(\.le).sorted(), buckets.last?.le == .infinity else {
                    throw .family(family, "buckets out of order or without +Inf")
                }
                guard buckets.map(\.count) == buckets.map(\.count).sorted() else { throw .family(family, "buckets that are not cumulative") }
                let count = samples.first { $0.name == "\(family)_count" && $0.labels == labels }?.value
                guard count == buckets.last?.count else { throw .family(family, "the +Inf bucket is not _count") }
                guard samples.contains(where: { $0.name == "\(family)_sum" && $0.labels == labels }) else { throw .family(family, "no _sum") }
            }
        }
    }

    /// The family a sample belongs to: its own name, or for a histogram's or summary's parts the name without the suffix.
    private static func family(of name: String, types: [String: String]) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let type = types[base], type == "histogram" || type == "summary" { return base }
        }
        return nil
    }

    private static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    private static func isName(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, !("0"..."9").contains(first) else { return false }
        return scalars.allSatisfy { $0 == "_" || $0 == ":" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    private static func isLabelName(_ text: String) -> Bool {
        isName(text) && !text.contains(":")
    }
}
