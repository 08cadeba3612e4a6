import struct Foundation.Date
import SegmindCatalog

extension InboxTracker {
    /// Decides every group of one folder and moves what is decided into `output`.
    mutating func evaluate(
        folder: String,
        at now: ContinuousClock.Instant,
        wallClock: Date,
        into output: inout TrackerOutput
    ) {
        readSettledSidecars(in: folder, at: now)
        lookForNamedPoses(in: folder, at: now)
        // Every group is decided in one pass, so a folder of thousands of pairs costs one grouping, not one
        // per pair. Two sidecars may name the same pose: a group that shares a file with one decided earlier
        // in the pass is decided again, from what is left, in another pass.
        var again = true
        while again, let files = folders[folder] {
            again = false
            var taken: Set<String> = []
            let loneFaceHeld = files.values.contains(where: \.isUnreadSidecar)
            for group in Self.groups(of: files) {
                let verdict = group.verdict(at: now, rules: rules, loneFaceHeld: loneFaceHeld)
                let members: [PendingFile]
                switch verdict {
                case .wait:
                    continue
                case .ready(let face, let sidecar, let pose):
                    members = [face] + [sidecar, pose].compactMap { $0 }
                    if members.contains(where: { taken.contains($0.name) }) {
                        again = true
                        continue
                    }
                    output.ready.append(
                        ReadyJob(
                            folder: folder, subpath: subpath(of: folder), stem: group.stem,
                            face: face.snapshot, sidecar: sidecar?.snapshot, pose: pose?.snapshot,
                            droppedAt: droppedAt(members, now: now, wallClock: wallClock)
                        )
                    )
                case .orphan(let reason):
                    members = group.members
                    if members.contains(where: { taken.contains($0.name) }) {
                        again = true
                        continue
                    }
                    output.orphans.append(
                        OrphanFiles(
                            folder: folder, subpath: subpath(of: folder), stem: group.stem,
                            files: members.map(\.snapshot), reason: reason,
                            droppedAt: droppedAt(members, now: now, wallClock: wallClock)
                        )
                    )
                }
                for member in members {
                    taken.insert(member.name)
                    folders[folder]?[member.name] = nil
                }
                // A decided sidecar may have been what held lone faces back: look at the folder again.
                if loneFaceHeld { again = true }
            }
        }
        pruneUnwanted(in: folder)
    }

    /// The folder's files grouped by stem, a pose named by a sidecar joining the sidecar's group.
    static func groups(of files: [String: PendingFile]) -> [JobGroup] {
        var groups: [String: JobGroup] = [:]
        var namedPoses: Set<String> = []
        for sidecar in files.values.sorted(by: { $0.name < $1.name }) {
            guard case .sidecar(let stem) = sidecar.role, let pose = sidecar.namedPose,
                groups[stem]?.namedPose == nil
            else { continue }
            groups[stem, default: JobGroup(stem: stem)].namedPose = pose
            groups[stem]?.namedPoseFile = files[pose]
            namedPoses.insert(pose)
        }
        for file in files.values where !namedPoses.contains(file.name) {
            switch file.role {
            case .face(let stem): groups[stem, default: JobGroup(stem: stem)].faces.append(file)
            case .sidecar(let stem): groups[stem, default: JobGroup(stem: stem)].sidecars.append(file)
            case .pose(let stem): groups[stem, default: JobGroup(stem: stem)].dotPoses.append(file)
            case .other: break
            }
        }
        // A named pose with no face or sidecar left in its group is no group at all.
        return groups.values.filter { !$0.faces.isEmpty || !$0.sidecars.isEmpty || !$0.dotPoses.isEmpty }
            .sorted { $0.stem < $1.stem }
    }

    /// Reads each sidecar that has settled since it last changed, to learn the pose it names.
    mutating func readSettledSidecars(in folder: String, at now: ContinuousClock.Instant) {
        guard let files = folders[folder] else { return }
        for file in files.values where file.isUnreadSidecar && file.isSettled(at: now, settle: rules.settle) {
            let reading = PendingFile.SidecarReading.read(poseImage: poseImage(of: file))
            folders[folder]?[file.name]?.sidecar = reading
        }
    }

    /// The `pose_image` of a sidecar when it is a name to wait for; nil when the sidecar names none, is
    /// too large, unreadable or not JSON (validation reports those later), or names the job's own face
    /// or sidecar.
    func poseImage(of sidecar: PendingFile) -> String? {
        guard case .sidecar(let stem) = sidecar.role, sidecar.snapshot.size <= Int64(rules.maxSidecarBytes),
            let bytes = access.readSidecar(sidecar.snapshot.path, rules.maxSidecarBytes),
            let document = try? JSONParser(limits: JSONParsingLimits(maxBytes: rules.maxSidecarBytes)).parse(bytes),
            let name = document["pose_image"]?.stringValue, CandidateName.isWaitablePoseName(name)
        else { return nil }
        switch CandidateName(name: name) {
        case .face(stem), .sidecar(stem): return nil
        default: return name
        }
    }

    /// Starts tracking a pose a sidecar names that is not tracked yet (a name with no role of its own is
    /// not tracked until a sidecar asks for it, so no scan or event may ever report it again). Its settle
    /// clock starts now.
    mutating func lookForNamedPoses(in folder: String, at now: ContinuousClock.Instant) {
        guard let files = folders[folder] else { return }
        for pose in Set(files.values.compactMap(\.namedPose)) where files[pose] == nil {
            guard let snapshot = access.lstat("\(folder)/\(pose)"), snapshot.isRegular,
                let role = CandidateName(name: pose)
            else { continue }
            folders[folder]?[pose] = PendingFile(name: pose, role: role, snapshot: snapshot, seen: now)
        }
    }

    /// Drops files with no role of their own that no sidecar of the folder names any more.
    mutating func pruneUnwanted(in folder: String) {
        guard let files = folders[folder] else { return }
        for file in files.values where file.role == .other && !isWanted(file.name, in: folder) {
            folders[folder]?[file.name] = nil
        }
        if folders[folder]?.isEmpty == true { folders[folder] = nil }
    }

    /// The wall-clock time the first of `files` was first seen.
    func droppedAt(_ files: [PendingFile], now: ContinuousClock.Instant, wallClock: Date) -> Date {
        guard let first = files.map(\.firstSeen).min() else { return wallClock }
        return wallClock.addingTimeInterval(-(now - first).timeInterval)
    }
}
