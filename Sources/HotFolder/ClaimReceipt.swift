package import FileSystem
package import Foundation
package import StrictJSON

/// One step of a claimed job, written into its claim folder (`receipts/<step>.json`) on the inbox's share,
/// beside the same step in the claiming host's own journal.
///
/// The journal lives on one host; the claim folder is where every host sharing the inbox can read it. With the
/// receipts, a claim folder alone tells how far its job got, so a host that adopts the claim of a dead one knows
/// whether the job may still be submitted (no `intent`), must be polled with its request ID (`submitted`), only
/// delivered (`completed`) or only finished (`delivered`). Each receipt is written durably (a temporary file,
/// flushed, renamed, the folder flushed), and every write goes to the claim folder by its path: once another
/// host has renamed the claim away, the write fails, so the receipt of the intent is also the claimant's last
/// check that the job is still its own before the paid POST.
package struct ClaimReceipt: Sendable, Hashable {
    /// The steps, in the order a job takes them.
    package enum Step: String, Sendable, CaseIterable, Comparable {
        /// Written before the POST is sent: from here on the POST may have been sent.
        case intent
        /// Segmind answered the POST with a request ID.
        case submitted
        /// Segmind finished the job; its answer and the outputs (with their hashes) are recorded.
        case completed
        /// The job's folder is in the outbox.
        case delivered

        package static func < (lhs: Step, rhs: Step) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }

        /// `receipts/<step>.json`.
        var fileName: String { "\(rawValue).json" }
    }

    /// The folder inside a claim folder that holds the receipts.
    package static let folderName = "receipts"
    static let format: Int64 = 1

    package var step: Step
    /// The host that wrote it (the claim's owner then), as in `claim.json`.
    package var owner: String
    /// When, by the writer's clock (for people; nothing is decided on it).
    package var at: Date
    /// The model the job was sent to (intent onwards).
    package var model: String?
    /// What was about to be sent: the model, parameters and cost estimate, for the job's records (intent).
    package var request: JSONValue?
    /// Segmind's request ID and where to poll it (submitted).
    package var requestID: String?
    package var statusURL: String?
    package var responseURL: String?
    /// When the job was submitted and when it times out (submitted).
    package var submittedAt: Date?
    package var deadline: Date?
    /// Segmind's answer as the journal keeps it, with the outputs' URLs (completed).
    package var result: JSONValue?
    /// The outputs as spooled: file names with their `sha256` (completed).
    package var outputs: JSONValue?
    /// When Segmind finished the job (completed).
    package var completedAt: Date?
    /// The job's folder in the outbox (delivered).
    package var folder: String?

    package init(step: Step, owner: String, at: Date = Date()) {
        self.step = step
        self.owner = owner
        self.at = at
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "format": .integer(Self.format),
            "step": .string(step.rawValue),
            "owner": .string(owner),
            "at": .string(at.formatted(.iso8601)),
        ]
        let texts: [(String, String?)] = [
            ("model", model), ("request_id", requestID), ("status_url", statusURL), ("response_url", responseURL), ("folder", folder),
        ]
        for (key, value) in texts { if let value { fields[key] = .string(value) } }
        let dates: [(String, Date?)] = [("submitted_at", submittedAt), ("deadline", deadline), ("completed_at", completedAt)]
        for (key, value) in dates { if let value { fields[key] = .string(Self.text(value)) } }
        if let request { fields["request"] = request }
        if let result { fields["result"] = result }
        if let outputs { fields["outputs"] = outputs }
        return .object(fields)
    }

    /// Writes the receipt into `claimFolder` (a path below `inbox`), making `receipts/` if needed. Fails when the
    /// claim folder is not there (any more): it was finished, or adopted by another host.
    package func write(into claimFolder: String, in inbox: Folder) throws(FileSystemError) {
        guard inbox.isFolder(claimFolder) else { throw .notFound("write a receipt into", path: inbox.display(claimFolder)) }
        let receipts = "\(claimFolder)/\(Self.folderName)"
        if try inbox.makeFolder(receipts, mode: .privateFolder) {
            try inbox.folder(claimFolder).sync()
        }
        try inbox.replace("\(receipts)/\(step.fileName)", bytes: json.serialized(sortedKeys: true, pretty: true), mode: .privateFile)
    }

    /// The receipts of a claim folder, by step; a missing or unreadable one is left out.
    package static func read(claimFolder: String, in inbox: Folder) -> [Step: ClaimReceipt] {
        var found: [Step: ClaimReceipt] = [:]
        for step in Step.allCases {
            guard let bytes = try? inbox.read("\(claimFolder)/\(folderName)/\(step.fileName)", limit: 16 << 20),
                let document = try? JSONParser().parse(bytes),
                let receipt = ClaimReceipt(document, step: step)
            else { continue }
            found[step] = receipt
        }
        return found
    }

    /// A receipt from its JSON, if it is one this version wrote for `step`.
    init?(_ document: JSONValue, step: Step) {
        guard document["format"]?.int64Value == Self.format, document["step"]?.stringValue == step.rawValue,
            let owner = document["owner"]?.stringValue
        else { return nil }
        self.init(step: step, owner: owner, at: document["at"]?.stringValue.flatMap(Self.date) ?? .distantPast)
        model = document["model"]?.stringValue
        requestID = document["request_id"]?.stringValue
        statusURL = document["status_url"]?.stringValue
        responseURL = document["response_url"]?.stringValue
        folder = document["folder"]?.stringValue
        submittedAt = document["submitted_at"]?.stringValue.flatMap(Self.date)
        deadline = document["deadline"]?.stringValue.flatMap(Self.date)
        completedAt = document["completed_at"]?.stringValue.flatMap(Self.date)
        request = document["request"]
        result = document["result"]
        outputs = document["outputs"]
        if step == .submitted, requestID == nil { return nil }
    }

    /// ISO 8601 with milliseconds: a deadline or a completion time read back as written.
    static func text(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) ?? (try? Date(text, strategy: .iso8601))
    }
}
