/// The files of one folder that share a stem, and the decision what to do with them now.
struct JobGroup<Instant: InstantProtocol<Duration>>: Sendable {
    enum Verdict: Sendable {
        /// Something is still being written, or a partner may still come.
        case wait
        case ready(face: PendingFile<Instant>, sidecar: PendingFile<Instant>?, pose: PendingFile<Instant>?)
        /// Gave up; every member goes to `failed/` with this reason.
        case orphan(reason: String)
    }

    var stem: String
    var faces: [PendingFile<Instant>] = []
    var sidecars: [PendingFile<Instant>] = []
    /// `<stem>.pose.<ext>` files.
    var dotPoses: [PendingFile<Instant>] = []
    /// The pose the sidecar names in `pose_image`, when it names one the tracker waits for.
    var namedPose: String?
    /// That pose's file, once it is there.
    var namedPoseFile: PendingFile<Instant>?
    /// Entries with one of the group's names that are not regular files (never taken), for the reason.
    var refused: [(name: String, kind: FileSnapshot.Kind)] = []

    init(stem: String) {
        self.stem = stem
    }

    /// Every file of the group, in a fixed order.
    var members: [PendingFile<Instant>] {
        faces + sidecars + dotPoses + [namedPoseFile].compactMap { $0 }
    }

    /// Decides the group's fate at `now`.
    ///
    /// - Parameter loneFaceHeld: the folder has a sidecar that is not read yet; it may name this face as
    ///   its `pose_image`, so a face without a sidecar of its own does not become a job until it is read.
    func verdict(at now: Instant, rules: InboxRules, loneFaceHeld: Bool) -> Verdict {
        if let ready = readyFiles(at: now, rules: rules, loneFaceHeld: loneFaceHeld) { return ready }
        // Gathered only for a group that is not ready, which alone needs them: each pending file is copied
        // through the generic value witnesses.
        let members = members
        // A face that may stand alone is a job held back, never an orphan, as long as it has content.
        if !rules.sidecarRequired, sidecars.isEmpty, faces.count == 1, !members.contains(where: \.isEmpty) {
            return .wait
        }
        guard let newest = members.map(\.lastChange).max(),
            now >= newest.advanced(by: rules.settle + rules.orphanAfter)
        else { return .wait }
        return .orphan(reason: reason(waited: rules.orphanAfter))
    }

    private func readyFiles(at now: Instant, rules: InboxRules, loneFaceHeld: Bool) -> Verdict? {
        guard faces.count == 1, sidecars.count <= 1, dotPoses.count <= 1 || namedPose != nil,
            let face = faces.first, face.isSettled(at: now, settle: rules.settle)
        else { return nil }
        let sidecar = sidecars.first
        if let sidecar {
            guard sidecar.isSettled(at: now, settle: rules.settle) else { return nil }
        } else if rules.sidecarRequired || loneFaceHeld {
            return nil
        }
        let pose: PendingFile<Instant>?
        if namedPose != nil {
            guard let namedPoseFile else { return nil }
            pose = namedPoseFile
        } else {
            pose = dotPoses.first
        }
        if let pose, !pose.isSettled(at: now, settle: rules.settle) { return nil }
        return .ready(face: face, sidecar: sidecar, pose: pose)
    }

    /// Why the group gave up, as a sentence for `error.json`.
    private func reason(waited duration: Duration) -> String {
        let waited = duration.secondsText
        if faces.count > 1 { return "\(names(faces)) share the stem \(stem); a job has one face" }
        if sidecars.count > 1 { return "\(names(sidecars)) share the stem \(stem); a job has one sidecar" }
        if namedPose == nil, dotPoses.count > 1 {
            return "\(names(dotPoses)) share the stem \(stem); a job has one pose"
        }
        if let empty = members.first(where: \.isEmpty) {
            return "\(empty.name) was still empty after \(waited)"
        }
        guard let face = faces.first else {
            let waiting = sidecars.first ?? dotPoses.first ?? namedPoseFile
            let reason = "\(waiting?.name ?? stem) waited \(waited) for its face \(CandidateName.faceNames(for: stem))"
            return reason + refusal { if case .face = $0 { true } else { false } }
        }
        guard let sidecar = sidecars.first else {
            return "\(face.name) waited \(waited) for \(stem).json" + refusal { if case .sidecar = $0 { true } else { false } }
        }
        if let namedPose, namedPoseFile == nil {
            return "\(sidecar.name) names pose_image \(namedPose), which did not appear within \(waited)"
        }
        return "\(face.name) did not become ready within \(waited)"
    }

    /// "; x.jpg is a symbolic link, …" for the first refused entry in the role `matches` accepts; empty
    /// when there is none.
    private func refusal(_ matches: (CandidateName) -> Bool) -> String {
        let candidates = refused.filter { CandidateName(name: $0.name).map(matches) ?? false }
        guard let first = candidates.min(by: { ExactName($0.name) < ExactName($1.name) }) else { return "" }
        return "; \(first.name) is \(first.kind), which facedrop never opens or takes: it was left in place"
    }

    private func names(_ files: [PendingFile<Instant>]) -> String {
        let sorted = files.map(\.name).sorted()
        return sorted.dropLast().joined(separator: ", ") + " and " + sorted.last!
    }
}
