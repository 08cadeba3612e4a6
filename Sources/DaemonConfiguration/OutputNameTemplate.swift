/// How output pictures are named (`[[inbox]] output_name`): literal text and `{placeholders}`, for example
/// `"{date}-{job}-{seed}-{n}"`. The file extension (`.png`, `.jpg`, `.webp`) is added to the result.
///
/// Checked when the configuration is read, so a job never fails for its name: only known placeholders, no path
/// separator, no leading dot, at most ``maxLength`` bytes of template. A name too long for the file system is
/// shortened with a hash (as every name facedrop derives), and when a generation has several pictures and the
/// template has no `{n}`, `-{n}` is added so they stay apart.
public struct OutputNameTemplate: Sendable, Hashable, CustomStringConvertible {
    /// The placeholders and what each stands for, for error messages and `facedrop check`.
    public static let placeholders: KeyValuePairs<String, String> = [
        "job": "the job's name (the dropped file's stem)",
        "n": "the picture's number in the generation, from 1",
        "seed": "the seed sent to Segmind",
        "model": "the model's slug",
        "date": "the UTC date of the submit, YYYY-MM-DD",
        "time": "the UTC time of the submit, HHMMSS",
        "inbox": "the inbox's name",
        "attempt": "1, or the attempt number of a retried job",
        "request_id": "Segmind's request ID",
    ]
    /// Bytes a template may have (before expansion).
    public static let maxLength = 200
    /// `<job>-<n>`: what outputs are called when the inbox sets no template.
    public static let standard = OutputNameTemplate(checked: "{job}-{n}")

    /// The template as written.
    public let text: String

    /// A template that is not valid, and why.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Checks `text`; see the type's description for the rules.
    public init(_ text: String) throws(Problem) {
        if text.isEmpty { throw Problem(description: "must not be empty") }
        if text.utf8.count > Self.maxLength { throw Problem(description: "must be at most \(Self.maxLength) bytes") }
        if text.hasPrefix(".") { throw Problem(description: "must not start with '.' (a hidden file)") }
        if text.contains("/") || text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw Problem(description: "must not contain '/' or control characters")
        }
        let known = Set(Self.placeholders.map(\.key))
        for piece in try Self.pieces(text) {
            if case .placeholder(let name) = piece, !known.contains(name) {
                throw Problem(description: "unknown placeholder {\(name)}; known: " + Self.placeholders.map { "{\($0.key)}" }.joined(separator: ", "))
            }
        }
        self.text = text
    }

    private init(checked text: String) {
        self.text = text
    }

    public var description: String { text }

    /// The name (without extension) of picture `index` of `total`, with `values` for the placeholders (by name, as
    /// in ``placeholders``; `n` is `index`). A value's `/` and control characters become `_`, and a name that would
    /// start with `.` starts with `_` instead.
    public func expand(_ values: [String: String], index: Int, total: Int) -> String {
        var values = values
        values["n"] = String(index)
        var name = ""
        let pieces = (try? Self.pieces(text)) ?? []
        for piece in pieces {
            switch piece {
            case .literal(let literal): name += literal
            case .placeholder(let key): name += Self.sanitized(values[key] ?? "")
            }
        }
        if total > 1, !pieces.contains(.placeholder("n")) { name += "-\(index)" }
        if name.isEmpty || name.hasPrefix(".") { name = "_" + name }
        return name
    }

    // MARK: Implementation

    private enum Piece: Equatable {
        case literal(String)
        case placeholder(String)
    }

    private static func pieces(_ text: String) throws(Problem) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{" else { throw Problem(description: "has a '}' without its '{'") }
            if open > rest.startIndex { pieces.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { throw Problem(description: "has a '{' without its '}'") }
            let name = rest[rest.index(after: open)..<close]
            if name.contains("{") { throw Problem(description: "has a '{' inside a placeholder") }
            pieces.append(.placeholder(String(name)))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.literal(String(rest))) }
        return pieces
    }

    private static func sanitized(_ value: String) -> String {
        String(value.unicodeScalars.map { $0 == "/" || $0.value < 0x20 || $0.value == 0x7F ? "_" : Character($0) })
    }
}
