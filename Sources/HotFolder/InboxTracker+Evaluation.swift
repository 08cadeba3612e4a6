import StrictJSON

import struct Foundation.Date

extension InboxTracker {
    /// Decides every group of one folder and moves what is decided into `output`.
    mutating func evaluate(
        folder: ExactName,
        at now: Instant,
        wallClock: Date,
        into output: inout TrackerOutput
    ) {
        readSettledSidecars(in: folder, at: now)
        lookForNamedPoses(in: folder, at: now)
        // A batch ticket names faces of its folder: while one is there, a face without a sidecar waits for it, and
        // a settled ticket is handed over (the intake takes its faces before any of them could become a job alone).
        let ticketHere = folders[folder]?.values.contains { if case .ticket = $0.role { true } else { false } } ?? false
        handOverTickets(in: folder, at: now, wallClock: wallClock, into: &output)
        // Every group is decided in one pass, so a folder of thousands of pairs costs one grouping, not one
        // per pair. Two sidecars may name the same pose: a group that shares a file with one decided earlier
        // in the pass is decided again, from what is left, in another pass.
        var again = true
        while again, let files = folders[folder] {
            again = false
            var taken: Set<ExactName> = []
            let loneFaceHeld = ticketHere || files.values.contains(where: \.isUnreadSidecar)
            for group in Self.groups(of: files, refused: refused[folder] ?? [:]) {
                let verdict = group.verdict(at: now, rules: rules, loneFaceHeld: loneFaceHeld)
                let members: [PendingFile<Instant>]
                switch verdict {
                case .wait:
                    continue
                case .ready(let face, let sidecar, let pose):
                    members = [face] + [sidecar, pose].compactMap { $0 }
                    if members.contains(where: { taken.contains($0.key) }) {
                        again = true
                        continue
                    }
                    output.ready.append(
                        ReadyJob(
                            folder: folder.text,
                            subpath: subpath(of: folder),
                            stem: group.stem,
                            face: face.snapshot,
                            sidecar: sidecar?.snapshot,
                            pose: pose?.snapshot,
                            droppedAt: droppedAt(members, now: now, wallClock: wallClock)
                        )
                    )
                case .orphan(let reason):
                    members = group.members
                    if members.contains(where: { taken.contains($0.key) }) {
                        again = true
                        continue
                    }
                    output.orphans.append(
                        OrphanFiles(
                            folder: folder.text,
                            subpath: subpath(of: folder),
                            stem: group.stem,
                            files: members.map(\.snapshot),
                            reason: reason,
                            droppedAt: droppedAt(members, now: now, wallClock: wallClock)
                        )
                    )
                }
                for member in members {
                    taken.insert(member.key)
                    folders[folder]?[member.key] = nil
                }
                // A decided sidecar may have been what held lone faces back: look at the folder again.
                if loneFaceHeld { again = true }
            }
        }
        pruneUnwanted(in: folder)
    }

    /// The folder's files grouped by stem (byte for byte), a pose named by a sidecar joining the sidecar's
    /// group. Each group learns which of its names are taken by entries that are not regular files.
    static func groups(of files: [ExactName: PendingFile<Instant>], refused: [ExactName: FileSnapshot.Kind] = [:]) -> [JobGroup<Instant>] {
        var groups: [ExactName: JobGroup<Instant>] = [:]
        var namedPoses: Set<ExactName> = []
        // Sorted are names, and only those of sidecars naming a pose: sorting the files themselves copied
        // every pending file through the generic value witnesses, for each comparison.
        let namingSidecars = files.compactMap { name, file in file.isSidecarNamingPose ? name : nil }
        for sidecar in namingSidecars.sorted().compactMap({ files[$0] }) {
            guard case .sidecar(let stem) = sidecar.role, let pose = sidecar.namedPose,
                groups[ExactName(stem)]?.namedPose == nil
            else { continue }
            groups[ExactName(stem), default: JobGroup(stem: stem)].namedPose = pose
            groups[ExactName(stem)]?.namedPoseFile = files[ExactName(pose)]
            namedPoses.insert(ExactName(pose))
        }
        for file in files.values where !namedPoses.contains(file.key) {
            guard let stem = file.role.stem else { continue }
            switch file.role {
            case .face: groups[ExactName(stem), default: JobGroup(stem: stem)].faces.append(file)
            case .sidecar: groups[ExactName(stem), default: JobGroup(stem: stem)].sidecars.append(file)
            case .pose: groups[ExactName(stem), default: JobGroup(stem: stem)].dotPoses.append(file)
            case .ticket, .other: break
            }
        }
        for (name, kind) in refused {
            guard let stem = CandidateName(name: name.text)?.stem else { continue }
            groups[ExactName(stem)]?.refused.append((name.text, kind))
        }
        // A named pose with no face or sidecar left in its group is no group at all.
        return groups.keys.sorted().compactMap { groups[$0] }
            .filter { !$0.faces.isEmpty || !$0.sidecars.isEmpty || !$0.dotPoses.isEmpty }
    }

    /// Moves each settled, non-empty batch ticket of the folder into `output`.
    mutating func handOverTickets(in folder: ExactName, at now: Instant, wallClock: Date, into output: inout TrackerOutput) {
        guard let files = folders[folder] else { return }
        let tickets = files.compactMap { name, file in if case .ticket = file.role { name } else { nil } }
        for file in tickets.sorted().compactMap({ files[$0] }) {
            guard case .ticket(let stem) = file.role, !file.isEmpty, file.isSettled(at: now, settle: rules.settle) else { continue }
            output.tickets.append(
                ReadyTicket(
                    folder: folder.text,
                    subpath: subpath(of: folder),
                    stem: stem,
                    file: file.snapshot,
                    droppedAt: droppedAt([file], now: now, wallClock: wallClock)
                )
            )
            folders[folder]?[file.key] = nil
        }
    }

    /// Reads each sidecar that has settled since it last changed, to learn the pose it names.
    mutating func readSettledSidecars(in folder: ExactName, at now: Instant) {
        guard let files = folders[folder] else { return }
        for file in files.values where file.isUnreadSidecar && file.isSettled(at: now, settle: rules.settle) {
            let reading = PendingFile<Instant>.SidecarReading.read(poseImage: poseImage(of: file))
            folders[folder]?[file.key]?.sidecar = reading
        }
    }

    /// The `pose_image` of a sidecar when it is a name to wait for; nil when the sidecar names none, is
    /// too large, unreadable or not JSON (validation reports those later), or names the job's own face
    /// or sidecar.
    func poseImage(of sidecar: PendingFile<Instant>) -> String? {
        guard case .sidecar(let stem) = sidecar.role, sidecar.snapshot.size <= Int64(rules.maxSidecarBytes),
            let bytes = access.readSidecar(sidecar.snapshot.path, rules.maxSidecarBytes),
            let document = try? JSONParser(limits: JSONParsingLimits(maxBytes: rules.maxSidecarBytes)).parse(bytes),
            let name = document["pose_image"]?.stringValue, CandidateName.isWaitablePoseName(name)
        else { return nil }
        switch CandidateName(name: name) {
        case .face(let named), .sidecar(let named):
            return ExactName(named) == ExactName(stem) ? nil : name
        default:
            return name
        }
    }

    /// Starts tracking a pose a sidecar names that is not tracked yet (a name with no role of its own is
    /// not tracked until a sidecar asks for it, so no scan or event may ever report it again). Its settle
    /// clock starts now.
    mutating func lookForNamedPoses(in folder: ExactName, at now: Instant) {
        guard let files = folders[folder] else { return }
        for pose in Set(files.values.compactMap { $0.namedPose.map(ExactName.init) }) where files[pose] == nil {
            guard let snapshot = access.lstat("\(folder.text)/\(pose.text)"), snapshot.isRegular,
                let role = CandidateName(name: pose.text)
            else { continue }
            folders[folder]?[pose] = PendingFile(name: pose.text, role: role, snapshot: snapshot, seen: now)
        }
    }

    /// Drops files with no role of their own that no sidecar of the folder names any more.
    mutating func pruneUnwanted(in folder: ExactName) {
        guard let files = folders[folder] else { return }
        for file in files.values where file.role == .other && !isWanted(file.key, in: folder) {
            folders[folder]?[file.key] = nil
        }
        if folders[folder]?.isEmpty == true { folders[folder] = nil }
    }

    /// The wall-clock time the first of `files` was first seen.
    func droppedAt(_ files: [PendingFile<Instant>], now: Instant, wallClock: Date) -> Date {
        guard let first = files.map(\.firstSeen).min() else { return wallClock }
        return wallClock.addingTimeInterval(-first.duration(to: now).timeInterval)
    }
}
