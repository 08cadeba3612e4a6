/// One candidate file the tracker is waiting on, timed in the tracker's instants.
struct PendingFile<Instant: InstantProtocol<Duration>>: Sendable {
    /// What a sidecar said about its pose, once it was read.
    enum SidecarReading: Sendable, Hashable {
        /// Not read yet: it has not settled since it last changed.
        case unread
        /// Read; `poseImage` is the pose it names, when that is a name the tracker waits for.
        case read(poseImage: String?)
    }

    var name: String
    var role: CandidateName
    var snapshot: FileSnapshot
    var firstSeen: Instant
    /// When the snapshot last changed (or the file was first seen): the settle clock runs from here.
    var lastChange: Instant
    var sidecar: SidecarReading = .unread

    init(name: String, role: CandidateName, snapshot: FileSnapshot, seen now: Instant) {
        self.name = name
        self.role = role
        self.snapshot = snapshot
        self.firstSeen = now
        self.lastChange = now
    }

    /// The name as the file system compares it.
    var key: ExactName { ExactName(name) }

    var isEmpty: Bool { snapshot.size <= 0 }

    /// Written: not empty, and unchanged for `settle`.
    func isSettled(at now: Instant, settle: Duration) -> Bool {
        !isEmpty && now >= lastChange.advanced(by: settle)
    }

    /// The pose this sidecar names, if it was read and names one the tracker waits for.
    var namedPose: String? {
        if case .read(let poseImage) = sidecar { poseImage } else { nil }
    }

    /// A sidecar that was read and names a pose.
    var isSidecarNamingPose: Bool {
        if case .sidecar = role { namedPose != nil } else { false }
    }

    var isUnreadSidecar: Bool {
        if case .sidecar = role, sidecar == .unread { true } else { false }
    }
}
