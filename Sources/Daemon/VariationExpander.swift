import DaemonConfiguration
import FileSystem
import Foundation
import Hashing
import HotFolder
import JobPipeline
import Journal
import Logging
import Outbox
import StrictJSON

/// Turns a drop whose sidecar asks for variations (``SidecarVariations``) into one plain drop per variation, beside
/// it in the same folder, and keeps the original drop in the outbox's `expanded/<subpath>/<stem>/` (`input/` and
/// `expanded.json`, which names the jobs).
///
/// The expansion is journaled before any file is written (``JobJournal/beginExpansion(inbox:subpath:stem:sidecarSHA256:)``)
/// and completed only once the original has left the inbox. A crash in between leaves the original in the inbox: it
/// is expanded again, and what was written already (a variation in place with the same bytes, or claimed since the
/// expansion began) is not written twice, so no variation becomes two jobs.
struct VariationExpander: Sendable {
    /// What became of a drop.
    enum Outcome: Sendable {
        /// Its variations are in the inbox and the original is in `expanded/`.
        case expanded([String])
        /// `variations` cannot be expanded: the drop is to fail with this reason.
        case invalid(String)
        /// Something refused a write; the drop stays in the inbox and is tried again at the next rescan.
        case postponed(String)
    }

    let journal: JobJournal
    let files: FileWorkPool
    let logger: Logger

    /// Expands `job`, whose sidecar (read as `sidecar`, whose bytes hash to `sha256`) asks for variations.
    func expand(_ job: ReadyJob, sidecar: [String: JSONValue], sha256: String, inbox: InboxConfiguration) async -> Outcome {
        let variations: [SidecarVariations.Variation]
        do {
            guard let expanded = try SidecarVariations.expand(sidecar, stem: job.stem) else { return .invalid("no variations") }
            variations = expanded
        } catch {
            return .invalid(error.description)
        }
        let since: Date
        do {
            since = try await journal.beginExpansion(inbox: inbox.name, subpath: job.subpath, stem: job.stem, sidecarSHA256: sha256)
        } catch {
            return .postponed("the journal refused the expansion: \(error)")
        }
        var pending: [SidecarVariations.Variation] = []
        for variation in variations {
            let claimed = (try? journal.claimedSince(inbox: inbox.name, subpath: job.subpath, name: variation.name, since: since)) ?? false
            if !claimed { pending.append(variation) }
        }
        let names = variations.map(\.name)
        let record: JSONValue = [
            "job": .string(job.stem), "inbox": .string(inbox.name), "jobs": .array(names.map(JSONValue.string)),
            "expanded_at": .string(since.formatted(.iso8601)), "claim_id": .string("expansion-\(sha256.prefix(16))-\(Int(since.timeIntervalSince1970))"),
            "facedrop_version": .string(FacedropVersion.current),
        ]
        let input = JobInput(
            name: job.stem,
            inbox: inbox.name,
            subpath: job.subpath,
            facePath: job.face.path,
            sidecarPath: job.sidecar?.path,
            posePath: job.pose?.path,
            droppedAt: job.droppedAt,
            sourcePath: job.face.path,
            claimID: record["claim_id"]?.stringValue
        )
        let outbox = OutboxFolders(root: inbox.outbox)
        let inboxRoot = inbox.path
        let toWrite = pending
        let placed: Result<String?, InboxDrops.Refusal>
        do {
            placed = .success(try await Self.writeOut(toWrite, job: job, input: input, record: record, outbox: outbox, inboxRoot: inboxRoot, files: files))
        } catch {
            placed = .failure(error)
        }
        switch placed {
        case .success(let folder?):
            try? await journal.completeExpansion(inbox: inbox.name, subpath: job.subpath, stem: job.stem, sidecarSHA256: sha256)
            logger.notice(
                "a drop asking for variations became jobs",
                metadata: ["inbox": "\(inbox.name)", "job": "\(job.stem)", "jobs": "\(names.count)", "kept": "\(folder)"]
            )
            return .expanded(names)
        case .success(nil):
            return .postponed("the original drop could not be kept in \(outbox.root)/expanded/")
        case .failure(let refusal):
            return .postponed(refusal.description)
        }
    }

    /// Writes the variations' drops, keeps the original in `expanded/` and removes it from the inbox, on a file
    /// thread; the kept folder, or nil when the outbox refused it (the original then stays).
    private static func writeOut(
        _ variations: [SidecarVariations.Variation],
        job: ReadyJob,
        input: JobInput,
        record: JSONValue,
        outbox: OutboxFolders,
        inboxRoot: String,
        files: FileWorkPool
    ) async throws(InboxDrops.Refusal) -> String? {
        try await files.run { () throws(InboxDrops.Refusal) -> String? in
            try InboxDrops.place(try drops(variations, job: job), in: job.folder, inboxRoot: inboxRoot)
            guard let folder = try? JobDelivery(outbox: outbox).deliverRecord(input, record: record, outcome: .expanded) else { return nil }
            let root = try? Folder.open(inboxRoot)
            for path in [job.face.path, job.sidecar?.path, job.pose?.path].compactMap(\.self) {
                try? root?.remove(path)
            }
            return folder
        }
    }

    /// The files of each variation: the face (and pose) copied under its name, and its own sidecar, which names no
    /// pose image (the pose travels as `<name>.pose.<ext>`).
    private static func drops(_ variations: [SidecarVariations.Variation], job: ReadyJob) throws(InboxDrops.Refusal) -> [(name: String, bytes: [UInt8])] {
        func read(_ path: String) throws(InboxDrops.Refusal) -> [UInt8] {
            do { return try InputFile.readDropped(path, maxBytes: 64 << 20) } catch {
                throw InboxDrops.Refusal(description: "\(path) cannot be read: \(error)")
            }
        }
        let face = try read(job.face.path)
        let pose = try job.pose.map { pose throws(InboxDrops.Refusal) in (try read(pose.path), PathNames.last(pose.path)) }
        var files: [(name: String, bytes: [UInt8])] = []
        for variation in variations {
            var sidecar = variation.sidecar
            files.append(("\(variation.name).\(Self.fileExtension(job.face.path))", face))
            if let pose {
                sidecar["pose_image"] = nil
                files.append(("\(variation.name).pose.\(Self.fileExtension(pose.1))", pose.0))
            }
            files.append(("\(variation.name).json", JSONValue.object(sidecar).serialized(pretty: true) + [0x0A]))
        }
        return files
    }

    private static func fileExtension(_ path: String) -> String {
        let name = PathNames.last(path)
        return name.lastIndex(of: ".").map { String(name[name.index(after: $0)...]) } ?? "jpg"
    }
}
