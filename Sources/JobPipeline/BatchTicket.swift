package import StrictJSON

/// A batch ticket: one file that names many faces of its folder, each with its settings, so a folder of photos
/// needs no sidecar per photo.
///
/// `<name>.batch.json`:
///
/// ```json
/// { "defaults": { "model": "flux-pulid", "num_steps": 20 },
///   "jobs": [ { "face": "anna.jpg", "prompt": "anna on a beach" },
///             { "face": "ben.png", "name": "ben-snow", "prompt": "ben in snow", "seed": 7 } ] }
/// ```
///
/// `<name>.batch.csv`: a header row with a `face` column, an optional `name` column, and one column per sidecar key;
/// an empty cell leaves its key out, and a cell is a number when it reads as one, `true`/`false` a boolean, else text.
///
/// Each job becomes a sidecar of its own: the defaults, then the job's keys (its `facedrop` options merged into the
/// defaults'). A job is named by `name`, else `<ticket>-<n>` (its place in the ticket, from 1).
package struct BatchTicket: Sendable, Equatable {
    /// The most jobs one ticket may hold.
    package static let maxJobs = 1000

    /// One job of the ticket.
    package struct Job: Sendable, Equatable {
        package var name: String
        /// The face's file name in the ticket's folder.
        package var face: String
        package var sidecar: [String: JSONValue]
    }

    package var jobs: [Job]

    /// A ticket that cannot be read, and why.
    package struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        package let description: String
    }

    /// Reads a ticket named `<stem>.batch.json` (`csv` false) or `<stem>.batch.csv`.
    package init(_ bytes: [UInt8], stem: String, csv: Bool) throws(Problem) {
        let defaults: [String: JSONValue]
        let rows: [[String: JSONValue]]
        if csv {
            defaults = [:]
            rows = try Self.csvRows(bytes)
        } else {
            guard let value = try? JSONParser().parse(bytes), let object = value.objectValue else {
                throw Problem(description: "not a JSON object")
            }
            for key in object.keys where key != "defaults" && key != "jobs" {
                throw Problem(description: "unknown key \"\(key)\" (a ticket has \"defaults\" and \"jobs\")")
            }
            switch object["defaults"] {
            case nil: defaults = [:]
            case .object(let values)?: defaults = values
            case let other?: throw Problem(description: "\"defaults\" must be an object, got \(other.serializedString())")
            }
            guard case .array(let entries)? = object["jobs"] else { throw Problem(description: "\"jobs\" must be a list of objects") }
            var objects: [[String: JSONValue]] = []
            for (index, entry) in entries.enumerated() {
                guard let job = entry.objectValue else { throw Problem(description: "jobs[\(index)] must be an object") }
                objects.append(job)
            }
            rows = objects
        }
        guard (1...Self.maxJobs).contains(rows.count) else {
            throw Problem(description: "a ticket holds 1 to \(Self.maxJobs) jobs, this one \(rows.count)")
        }
        var jobs: [Job] = []
        var names: Set<String> = []
        for (index, row) in rows.enumerated() {
            let label = csv ? "row \(index + 2)" : "jobs[\(index)]"
            guard let face = row["face"]?.stringValue, Self.isPlainName(face) else {
                throw Problem(description: "\(label): \"face\" must name an image file in the ticket's folder")
            }
            let name: String
            switch row["name"] {
            case nil: name = "\(stem)-\(index + 1)"
            case .string(let given)? where Self.isPlainName(given) && !given.contains("."): name = given
            default: throw Problem(description: "\(label): \"name\" must be a plain name without '/' or '.'")
            }
            guard names.insert(name).inserted else { throw Problem(description: "\(label): the name \(name) is used twice") }
            var sidecar = defaults
            for (key, value) in row where key != "face" && key != "name" {
                if key == "facedrop", let options = value.objectValue {
                    sidecar[key] = .object((defaults["facedrop"]?.objectValue ?? [:]).merging(options) { _, fromJob in fromJob })
                } else {
                    sidecar[key] = value
                }
            }
            jobs.append(Job(name: name, face: face, sidecar: sidecar))
        }
        self.jobs = jobs
    }

    /// A file name of the ticket's own folder: not empty, no `/`, not hidden, no control character.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && !name.contains("/") && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    // MARK: CSV

    private static func csvRows(_ bytes: [UInt8]) throws(Problem) -> [[String: JSONValue]] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Problem(description: "not UTF-8 text") }
        let records = try csvRecords(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        guard let header = records.first else { throw Problem(description: "empty: a header row with a face column comes first") }
        let columns = header.map { $0.trimmingSpaces }
        guard columns.contains("face") else { throw Problem(description: "the header row has no face column") }
        guard Set(columns).count == columns.count else { throw Problem(description: "the header row names a column twice") }
        var rows: [[String: JSONValue]] = []
        for (index, record) in records.dropFirst().enumerated() {
            if record.allSatisfy(\.isEmpty) { continue }
            guard record.count <= columns.count else { throw Problem(description: "row \(index + 2) has more cells than the header") }
            var row: [String: JSONValue] = [:]
            for (column, cell) in zip(columns, record) where !cell.isEmpty {
                row[column] = column == "face" || column == "name" ? .string(cell) : cellValue(cell)
            }
            rows.append(row)
        }
        return rows
    }

    /// A cell as JSON: a number when the whole cell reads as a JSON number, a boolean for `true`/`false`, else text.
    private static func cellValue(_ cell: String) -> JSONValue {
        if cell == "true" { return .bool(true) }
        if cell == "false" { return .bool(false) }
        if let value = try? JSONParser().parse(Array(cell.utf8)), case .integer = value { return value }
        if let value = try? JSONParser().parse(Array(cell.utf8)), case .number = value { return value }
        return .string(cell)
    }

    /// RFC 4180 records: commas, quoted cells with `""` for a quote, CRLF or LF line ends.
    private static func csvRecords(_ text: String) throws(Problem) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var cell = ""
        var quoted = false
        var afterQuote = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        cell.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        afterQuote = true
                        pending = next
                    }
                } else {
                    cell.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where cell.isEmpty && !afterQuote:
                quoted = true
            case ",":
                record.append(cell)
                cell = ""
                afterQuote = false
            case "\r":
                continue
            case "\n":
                record.append(cell)
                records.append(record)
                record = []
                cell = ""
                afterQuote = false
            default:
                if afterQuote { throw Problem(description: "text after a closing quote in row \(records.count + 1)") }
                cell.unicodeScalars.append(scalar)
            }
        }
        if quoted { throw Problem(description: "a quote is not closed") }
        if !cell.isEmpty || !record.isEmpty {
            record.append(cell)
            records.append(record)
        }
        return records
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(unicodeScalars.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed().map(Character.init))
    }
}
