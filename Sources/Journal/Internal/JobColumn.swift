/// The `job` table's columns that make a ``JobRecord``, in the order every statement that reads records selects them
/// (``selection``): a record is decoded by position, never by name.
///
/// The cases' order is the columns' order: a case's raw value is its column's position in ``selection``, so the
/// statement and the decoder cannot disagree (and `JobColumnTests` checks each name against the table).
enum JobColumn: Int32, CaseIterable {
    case id
    case inbox
    case subpath
    case name
    case claimedPath
    case facePath
    case sidecarPath
    case posePath
    case model
    case priority
    case droppedAt
    case readyAt
    case state
    case requestID
    case statusURL
    case responseURL
    case submittedAt
    case polls
    case nextPollAt
    case deadline
    case completedAt
    case spoolPath
    case request
    case result
    case outputs
    case errorCode
    case errorRecord
    case resultFolder
    case updatedAt
    case attempt
    case previousError
    case retriedFrom

    /// The column's name in the `job` table.
    var name: String {
        switch self {
        case .id: "id"
        case .inbox: "inbox"
        case .subpath: "subpath"
        case .name: "name"
        case .claimedPath: "claimed_path"
        case .facePath: "face_path"
        case .sidecarPath: "sidecar_path"
        case .posePath: "pose_path"
        case .model: "model"
        case .priority: "priority"
        case .droppedAt: "dropped_at"
        case .readyAt: "ready_at"
        case .state: "state"
        case .requestID: "request_id"
        case .statusURL: "status_url"
        case .responseURL: "response_url"
        case .submittedAt: "submitted_at"
        case .polls: "polls"
        case .nextPollAt: "next_poll_at"
        case .deadline: "deadline"
        case .completedAt: "completed_at"
        case .spoolPath: "spool_path"
        case .request: "request"
        case .result: "result"
        case .outputs: "outputs"
        case .errorCode: "error_code"
        case .errorRecord: "error_record"
        case .resultFolder: "result_folder"
        case .updatedAt: "updated_at"
        case .attempt: "attempt"
        case .previousError: "previous_error"
        case .retriedFrom: "retried_from"
        }
    }

    /// The columns' names in the cases' order: what a statement reading records must select.
    static let selectedNames = allCases.map(\.name)

    /// The columns as a `SELECT` list (or a `RETURNING` one), in the cases' order.
    static let selection = selectedNames.joined(separator: ", ")
}
