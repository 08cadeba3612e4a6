import FileSystem
import Foundation
package import Logging

/// Takes ready jobs out of the inbox by moving their files with `rename(2)` into
/// `<inbox>/.facedrop/<unique>/input/` before anything is sent (docs/protocol.md §2).
///
/// A rename either happens or not, and only one process can move a file away, so two daemons (even on
/// two hosts sharing the inbox) never take the same job, and a file that is still being written is never
/// taken half (its snapshot is checked again right before the move). The face moves first: whoever moves
/// it owns the job.
///
/// Layout of a claim folder: `claim.json` (written and flushed before any move, for the start-up sweep)
/// and `input/` holding the files under their own names. Everything stays on the inbox's filesystem.
///
/// The calls block on the filesystem; run them on a dedicated thread, not in the cooperative pool.
package struct JobClaimer: Sendable {
    /// The inbox folder, absolute, without a trailing `/`.
    package let inboxRoot: String
    /// Names this daemon in every `claim.json`; ``sweep(known:)`` leaves other owners' claims alone.
    /// Use something unique per daemon instance, such as host name plus state folder.
    package let owner: String
    let logger: Logger
    /// Called with the job's stem once its `claim.json` is on disk and before any file moves: the moment a
    /// fault test can stop the daemon at to prove the start-up sweep puts such a claim back.
    let recorded: @Sendable (_ stem: String) -> Void

    package init(
        inboxRoot: String,
        owner: String = JobClaimer.defaultOwner,
        logger: Logger = Logger(label: "facedrop.hotfolder"),
        recorded: @escaping @Sendable (_ stem: String) -> Void = { _ in }
    ) {
        var root = inboxRoot
        while root.hasSuffix("/") { root.removeLast() }
        self.inboxRoot = root
        self.owner = owner
        self.logger = logger
        self.recorded = recorded
    }

    /// This machine's host name.
    package static var defaultOwner: String { Files.hostName() }

    /// `<inboxRoot>/.facedrop`: ignored by the tracker like every dot-folder.
    package var workFolder: String { "\(inboxRoot)/.facedrop" }

    /// The folder inside a claim folder that holds the job's files.
    static let inputFolderName = "input"

    /// Claims a ready job: face, then sidecar, then pose.
    package func claim(_ job: ReadyJob) throws(ClaimError) -> ClaimResult {
        let outcome = try move(job.files, from: job.folder, subpath: job.subpath, stem: job.stem)
        guard case .claimed(let folder, _) = outcome else { return outcome.result }
        let input = "\(folder)/\(Self.inputFolderName)/"
        let claimedPath = { (file: FileSnapshot) in input + PathNames.last(file.path) }
        return .claimed(
            ClaimedFiles(
                folder: folder,
                facePath: claimedPath(job.face),
                sidecarPath: job.sidecar.map(claimedPath),
                posePath: job.pose.map(claimedPath)
            )
        )
    }

    /// Claims an orphan's files in path order, to be failed with its reason.
    package func claim(_ orphan: OrphanFiles) throws(ClaimError) -> ClaimResult {
        let files = orphan.files.sorted { $0.path < $1.path }
        let outcome = try move(files, from: orphan.folder, subpath: orphan.subpath, stem: orphan.stem)
        guard case .claimed(let folder, let paths) = outcome else { return outcome.result }
        return .claimed(ClaimedFiles(folder: folder, otherPaths: paths))
    }

    /// Deletes a finished job's claim folder, after its inputs were copied to the outbox.
    ///
    /// The folder is first renamed to `<name>.discard` and that is flushed, so a crash halfway through
    /// the deletion can never leave a claim the sweep would put back and run a second time.
    package func discard(claimFolder: String) throws(ClaimError) {
        let name = PathNames.last(claimFolder)
        guard claimFolder == "\(workFolder)/\(name)", Self.isClaimFolderName(name) else {
            throw ClaimError(.invalidPath("discard (not a claim folder)", path: claimFolder))
        }
        let doomed = "\(claimFolder).discard"
        do {
            let inbox = try inbox()
            try inbox.move(claimFolder, to: doomed, replacing: true)
            try inbox.folder(workFolder).sync()
            try inbox.removeTree(doomed)
        } catch {
            throw ClaimError(error)
        }
    }

    // MARK: Moving

    /// How a move ended, before the paths are sorted into roles.
    enum MoveOutcome {
        case claimed(folder: String, paths: [String])
        case lost
        case changed

        var result: ClaimResult {
            switch self {
            case .claimed(let folder, let paths): .claimed(ClaimedFiles(folder: folder, otherPaths: paths))
            case .lost: .lost
            case .changed: .changed
            }
        }
    }

    /// Moves `files` (the first decides ownership) into a new claim folder.
    func move(
        _ files: [FileSnapshot],
        from folder: String,
        subpath: String,
        stem: String
    ) throws(ClaimError)
        -> MoveOutcome
    {
        guard let first = files.first else { return .changed }
        let names = files.map { PathNames.last($0.path) }
        let claimFolder: String
        do {
            try makeWorkFolder()
            claimFolder = try makeClaimFolder()
        } catch {
            throw ClaimError(error)
        }
        let input = "\(claimFolder)/\(Self.inputFolderName)"
        do {
            let record = ClaimRecord(
                owner: owner,
                folder: folder,
                subpath: subpath,
                stem: stem,
                files: names,
                claimedAt: Date()
            )
            try record.write(into: claimFolder, in: inbox())
            try inbox().folder(workFolder).sync()
        } catch {
            abandon(claimFolder)
            throw ClaimError(error)
        }
        recorded(stem)

        // Checked after the record, right before the moves: a file that changed since it looked
        // ready is still being written.
        for file in files {
            guard let now = FileSnapshot.lstat(file.path), now.isUnchanged(comparedTo: file) else {
                abandon(claimFolder)
                return FileSnapshot.lstat(first.path) == nil ? .lost : .changed
            }
        }

        var moved: [(from: String, to: String)] = []
        for (file, name) in zip(files, names) {
            let destination = "\(input)/\(name)"
            do {
                try inbox().move(file.path, to: destination, replacing: true)
                moved.append((file.path, destination))
            } catch {
                let undoProblem = putBack(moved)
                if undoProblem == nil { abandon(claimFolder) }
                if error.isNotFound, undoProblem == nil { return moved.isEmpty ? .lost : .changed }
                var failure = ClaimError(error)
                failure.undoProblem = undoProblem
                throw failure
            }
        }
        do {
            try inbox().folder(input).sync()
            try inbox().folder(folder).sync()
        } catch {
            var failure = ClaimError(error)
            failure.undoProblem = putBack(moved)
            if failure.undoProblem == nil { abandon(claimFolder) }
            throw failure
        }
        return .claimed(folder: claimFolder, paths: moved.map(\.to))
    }

    /// Moves files back where they came from, never over a file that took the name meanwhile.
    /// Returns what went wrong, or nil when every file is back.
    func putBack(_ moved: [(from: String, to: String)]) -> String? {
        var problems: [String] = []
        for (original, claimed) in moved.reversed() {
            let folder = PathNames.parent(original)
            let name = PathNames.last(original)
            do {
                _ = try restore(claimed, named: name, into: folder)
            } catch {
                problems.append(error.description)
            }
        }
        if let folder = moved.first.map({ PathNames.parent($0.from) }) {
            try? inbox().folder(folder).sync()
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// The inbox a claim folder (`<inbox>/.facedrop/<claim>`) belongs to.
    package static func inboxRoot(ofClaimFolder claimFolder: String) -> String {
        PathNames.parent(PathNames.parent(claimFolder))
    }

    /// The inbox folder, opened anew for each step (it may have been recreated): every path below it is
    /// reached without following a link, so a link planted in a shared inbox never redirects a claim.
    func inbox() throws(FileSystemError) -> Folder {
        try Folder.open(inboxRoot)
    }

    /// Removes a claim folder that holds no job files (any more).
    func abandon(_ claimFolder: String) {
        guard let inbox = try? inbox() else { return }
        try? inbox.remove("\(claimFolder)/\(ClaimRecord.fileName)")
        try? inbox.remove("\(claimFolder)/.\(ClaimRecord.fileName).tmp")
        try? inbox.removeFolder("\(claimFolder)/\(Self.inputFolderName)")
        try? inbox.removeFolder(claimFolder)
    }

    /// Creates `.facedrop` if needed; refuses anything there that is not a real directory (a link could
    /// send the files elsewhere).
    func makeWorkFolder() throws(FileSystemError) {
        let inbox = try inbox()
        if try inbox.makeFolder(workFolder, mode: .privateFolder) {
            try inbox.sync()
        } else if !inbox.isFolder(workFolder) {
            throw .notAFolder("use work folder", path: workFolder)
        }
    }

    /// Creates a new claim folder with its `input/` and returns its path.
    func makeClaimFolder() throws(FileSystemError) -> String {
        let stamp = Self.timestamp(Date())
        for _ in 0..<16 {
            let path = "\(workFolder)/\(stamp)-\(Self.randomHex())"
            guard try inbox().makeFolder(path, mode: .privateFolder) else { continue }
            try inbox().makeFolder("\(path)/\(Self.inputFolderName)", mode: .privateFolder)
            return path
        }
        throw .alreadyExists("mkdir", path: "\(workFolder)/\(stamp)-…")
    }
}
