/// What kind of Segmind endpoint a request reached; the ledger files every request under one.
public enum EmulatorEndpoint: String, Sendable, Hashable, CaseIterable {
    /// `POST /v2/{slug}`.
    case submit
    /// `GET /v2/requests/{id}/status`.
    case status
    /// `GET /v2/requests/{id}` and the v1 poll URL `GET /v1/requests/{id}`.
    case result
    /// `GET /generations/...` and `GET /assets/...`: files served without a key.
    case output
    /// `GET /v1/get-user-credits`.
    case credits
    /// `POST /upload-asset`.
    case upload
    /// Anything else: unknown paths and wrong verbs.
    case other
}
