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

extension VariationExpander {
    /// Expands a batch ticket (``BatchTicket``) like a variations sidecar: one plain drop per job in the ticket's
    /// folder (`<name>.<ext>` and `<name>.json`), journaled first, then the ticket and the faces it names kept in
    /// `<outbox>/expanded/<subpath>/<ticket>/` and removed from the inbox. A ticket that cannot be read goes to
    /// `failed/` with the reason; the faces stay where they are.
    func expand(_ ticket: ReadyTicket, inbox: InboxConfiguration) async -> Outcome {
        let path = ticket.file.path
        let bytes: [UInt8]
        do {
            bytes = try InputFile.readDropped(path, maxBytes: 1 << 20)
        } catch {
            return .postponed("\(path) cannot be read: \(error)")
        }
        let parsed: BatchTicket
        do {
            parsed = try BatchTicket(bytes, stem: ticket.stem, csv: path.lowercased().hasSuffix(".csv"))
        } catch {
            return .invalid(error.description)
        }
        let sha256 = SHA256.hash(bytes).hex
        let since: Date
        do {
            since = try await journal.beginExpansion(inbox: inbox.name, subpath: ticket.subpath, stem: ticket.stem + ".batch", sidecarSHA256: sha256)
        } catch {
            return .postponed("the journal refused the expansion: \(error)")
        }
        var pending: [BatchTicket.Job] = []
        for job in parsed.jobs {
            let claimed = (try? journal.claimedSince(inbox: inbox.name, subpath: ticket.subpath, name: job.name, since: since)) ?? false
            if !claimed { pending.append(job) }
        }
        let names = parsed.jobs.map(\.name)
        let record: JSONValue = [
            "job": .string(ticket.stem), "inbox": .string(inbox.name), "jobs": .array(names.map(JSONValue.string)),
            "expanded_at": .string(since.formatted(.iso8601)),
            "claim_id": .string("ticket-\(sha256.prefix(16))-\(Int(since.timeIntervalSince1970))"), "facedrop_version": .string(FacedropVersion.current),
        ]
        let outbox = OutboxFolders(root: inbox.outbox)
        let faces = Array(Set(parsed.jobs.map(\.face))).sorted()
        let toWrite = pending
        do {
            let folder = try await files.run { () throws(InboxDrops.Refusal) -> String in
                try Self.writeOut(toWrite, faces: faces, ticket: ticket, record: record, outbox: outbox, inboxRoot: inbox.path)
            }
            try? await journal.completeExpansion(inbox: inbox.name, subpath: ticket.subpath, stem: ticket.stem + ".batch", sidecarSHA256: sha256)
            logger.notice(
                "a batch ticket became jobs",
                metadata: ["inbox": "\(inbox.name)", "ticket": "\(ticket.stem)", "jobs": "\(names.count)", "kept": "\(folder)"]
            )
            return .expanded(names)
        } catch {
            return .postponed(error.description)
        }
    }

    /// Writes the jobs' drops, keeps the ticket and its faces in `expanded/` and removes them from the inbox.
    private static func writeOut(
        _ jobs: [BatchTicket.Job],
        faces: [String],
        ticket: ReadyTicket,
        record: JSONValue,
        outbox: OutboxFolders,
        inboxRoot: String
    ) throws(InboxDrops.Refusal) -> String {
        var contents: [String: [UInt8]] = [:]
        for face in faces {
            let path = "\(ticket.folder)/\(face)"
            guard case .face = CandidateName(name: face) else {
                throw InboxDrops.Refusal(description: "\(face) is not a face image name (.jpg, .jpeg, .png or .webp)")
            }
            do {
                contents[face] = try InputFile.readDropped(path, maxBytes: 64 << 20)
            } catch {
                throw InboxDrops.Refusal(description: "\(path) cannot be read: \(error)")
            }
        }
        var drops: [(name: String, bytes: [UInt8])] = []
        for job in jobs {
            let fileExtension = job.face.lastIndex(of: ".").map { String(job.face[job.face.index(after: $0)...]) } ?? "jpg"
            drops.append(("\(job.name).\(fileExtension)", contents[job.face] ?? []))
            drops.append(("\(job.name).json", JSONValue.object(job.sidecar).serialized(pretty: true) + [0x0A]))
        }
        try InboxDrops.place(drops, in: ticket.folder, inboxRoot: inboxRoot)
        let ticketName = PathNames.last(ticket.file.path)
        let ticketBytes: [UInt8]
        do {
            ticketBytes = try InputFile.readDropped(ticket.file.path, maxBytes: 1 << 20)
        } catch {
            throw InboxDrops.Refusal(description: "\(ticket.file.path) cannot be read: \(error)")
        }
        let kept: String
        do {
            if let existing = JobDelivery(outbox: outbox).findDelivered(
                JobInput(name: ticket.stem, inbox: "", subpath: ticket.subpath, facePath: "", sidecarPath: nil, claimID: record["claim_id"]?.stringValue),
                outcome: .expanded
            ) {
                kept = existing
            } else {
                let staging = try outbox.makeStagingFolder()
                try staging.writeInput(ticketBytes, named: ticketName)
                for (face, bytes) in contents.sorted(by: { $0.key < $1.key }) {
                    try staging.writeInput(bytes, named: face)
                }
                try staging.write(record.serialized(pretty: true) + [0x0A], named: JobOutcome.expanded.recordName)
                kept = try outbox.publish(staging, outcome: .expanded, subpath: ticket.subpath, job: ticket.stem)
            }
        } catch {
            throw InboxDrops.Refusal(description: "the ticket could not be kept in \(outbox.root)/expanded/: \(error)")
        }
        let root = try? Folder.open(inboxRoot)
        for path in [ticket.file.path] + faces.map({ "\(ticket.folder)/\($0)" }) {
            try? root?.remove(path)
        }
        return kept
    }
}
