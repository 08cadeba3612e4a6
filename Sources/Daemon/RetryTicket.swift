import FileSystem
import StrictJSON

/// What a folder in `<outbox>/retry/` asks for, read from the job folder's own record (`error.json` or
/// `cancelled.json`): which job, of which inbox and subfolder, which attempt, and whether it may pay twice.
struct RetryTicket: Sendable, Equatable {
    /// The file that allows a retry of a job whose submit may have been billed (`outcome_unknown`).
    static let mayPayTwiceFile = "MAY-PAY-TWICE"

    var inbox: String
    var job: String
    var subpath: String
    /// The attempt that ended (1 for a dropped job).
    var attempt: Int
    var claimID: String
    var code: String
    /// The record, as JSON text, for the next attempt's records.
    var record: String

    /// Whether the earlier attempt may have been billed, so that a retry may pay twice.
    var mayHaveBeenBilled: Bool { code == "outcome_unknown" }

    /// Why a retry folder cannot be taken.
    enum Problem: Error, Equatable, CustomStringConvertible {
        case noRecord
        case unreadableRecord(String)
        case unknownInbox(String)
        /// `outcome_unknown` without ``RetryTicket/mayPayTwiceFile``.
        case mayPayTwice

        var description: String {
            switch self {
            case .noRecord: "no error.json or cancelled.json: only a job folder from failed/ or cancelled/ can be retried"
            case .unreadableRecord(let reason): "its record cannot be read: \(reason)"
            case .unknownInbox(let name): "its inbox \(name) is not in the configuration (or has another outbox)"
            case .mayPayTwice:
                "its submit may have been billed (outcome_unknown): a retry may pay twice, so it is only retried with `facedrop retry --may-pay-twice` (or a file named \(RetryTicket.mayPayTwiceFile) in the folder)"
            }
        }
    }

    /// Reads a job folder's record against the inboxes (name → folder) that deliver to the outbox it is in.
    static func read(_ record: [UInt8], inboxes: [String: String]) -> Result<RetryTicket, Problem> {
        guard let value = try? JSONParser().parse(record), let fields = value.objectValue else {
            return .failure(.unreadableRecord("not a JSON object"))
        }
        guard let inbox = fields["inbox"]?.stringValue, let job = fields["job"]?.stringValue, let claimID = fields["claim_id"]?.stringValue else {
            return .failure(.unreadableRecord("inbox, job or claim_id missing"))
        }
        guard let root = inboxes[inbox] else { return .failure(.unknownInbox(inbox)) }
        let code = fields["code"]?.stringValue ?? "failed"
        // The subfolder the face was dropped in, from its recorded source path.
        var subpath = ""
        if let source = fields["source"]?.stringValue, source.hasPrefix(root + "/") {
            let relative = String(source.dropFirst(root.count + 1))
            subpath = relative.split(separator: "/").dropLast().joined(separator: "/")
        }
        let attempt = fields["attempt"]?.intValue ?? 1
        return .success(
            RetryTicket(
                inbox: inbox,
                job: job,
                subpath: subpath,
                attempt: attempt,
                claimID: claimID,
                code: code,
                record: String(decoding: value.serialized(), as: UTF8.self)
            )
        )
    }
}
