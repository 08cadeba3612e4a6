/// Whether an inbox waits for a `<stem>.json` next to each face.
public enum SidecarPolicy: String, Sendable, Hashable, CaseIterable {
    /// A face without a sidecar waits, then becomes an orphan.
    case required
    /// A face alone becomes a job with the inbox's defaults once it has settled.
    case optional
}
