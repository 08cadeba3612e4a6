import FileSystem
package import Foundation
import StrictJSON

extension OutboxRetention {
    /// The jobs the journal is not finished with, whose folders must stay whatever their age: jobs in a state
    /// that is not terminal (a `delivered` job not yet `done`), and failed or cancelled jobs whose delivery is
    /// not journaled yet.
    package struct UnfinishedJobs: Sendable, Equatable {
        /// Their claim IDs, as each record file's `claim_id` names them.
        package var claimIDs: Set<String>
        /// Their journaled result folders, whole paths.
        package var folders: Set<String>

        package init(claimIDs: Set<String> = [], folders: Set<String> = []) {
            self.claimIDs = claimIDs
            self.folders = folders
        }
    }

    /// What a removal pass did.
    package struct Outcome: Sendable, Equatable {
        package var removed: [RetentionPlan.Item] = []
        /// Past their limit but kept: the journal is not finished with their jobs.
        package var spared: [RetentionPlan.Item] = []
        package var removedEmptyFolders: [String] = []
        /// What could not be removed or logged, one readable line each.
        package var problems: [String] = []

        package init() {}
    }

    /// Removes what `plan` lists, except the folders of `unfinished` jobs, and logs each removal as a `pruned`
    /// event in the outbox's JSONL log. Nothing is followed: each item is removed from the outbox's root, a link
    /// inside a job folder is removed as a link.
    package static func remove(_ plan: RetentionPlan, from outbox: OutboxFolders, sparing unfinished: UnfinishedJobs, now: Date) -> Outcome {
        var outcome = Outcome()
        let base: Folder
        do { base = try outbox.rootFolder() } catch {
            outcome.problems.append("the outbox cannot be opened: \(error)")
            return outcome
        }
        for item in plan.expired {
            if item.kind.isJobFolder, isUnfinished(item, in: base, outbox: outbox, unfinished: unfinished) {
                outcome.spared.append(item)
                continue
            }
            do { try removeJobFolder(item, in: base) } catch {
                outcome.problems.append("\(base.display(item.path)) could not be removed: \(error)")
                continue
            }
            outcome.removed.append(item)
        }
        for folder in plan.emptyFolders {
            // rmdir removes only an empty folder: one a delivery has put a job into meanwhile stays.
            if (try? base.removeFolder(folder)) != nil { outcome.removedEmptyFolders.append(folder) }
        }
        for item in outcome.removed {
            let event: [String: JSONValue] = [
                "event": "pruned",
                "kind": .string(item.kind.rawValue),
                "path": .string(item.path),
                "reason": .string(item.reason.rawValue),
                "finished": .string(item.finished.formatted(.iso8601)),
            ]
            do { try outbox.log(event, at: now) } catch {
                outcome.problems.append("the pruning of \(item.path) could not be logged: \(error)")
            }
        }
        return outcome
    }

    /// Removes `item`, or when it holds other jobs' folders (``RetentionPlan/Item/keeping``) everything but them.
    private static func removeJobFolder(_ item: RetentionPlan.Item, in base: Folder) throws(FileSystemError) {
        guard !item.keeping.isEmpty else { return try base.removeTree(item.path) }
        for entry in try base.entries(item.path) {
            guard let name = entry.name else { throw FileSystemError("unlink", path: base.display(item.path), reason: .notRegularFile) }
            if !item.keeping.contains(name) { try base.removeTree("\(item.path)/\(name)") }
        }
    }

    /// Whether the journal may still need the job folder `item`: its path is a journaled result folder of a job
    /// not finished, or its record names the claim of one.
    private static func isUnfinished(_ item: RetentionPlan.Item, in base: Folder, outbox: OutboxFolders, unfinished: UnfinishedJobs) -> Bool {
        if unfinished.folders.contains("\(outbox.root)/\(item.path)") { return true }
        guard !unfinished.claimIDs.isEmpty, let recordName = item.kind.recordName,
            let bytes = try? base.read("\(item.path)/\(recordName)", limit: 4 << 20),
            let claimID = (try? JSONParser().parse(bytes))?["claim_id"]?.stringValue
        else { return false }
        return unfinished.claimIDs.contains(claimID)
    }
}
