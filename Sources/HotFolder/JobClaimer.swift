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
        try claim([job])[0].get()
    }

    /// The most jobs ``claim(_:)-([ReadyJob])`` takes in one go: a burst is claimed in steps, so the first
    /// jobs of a large one do not wait for every record of the whole burst.
    package static let batchLimit = 64

    /// Claims ready jobs together, each as ``claim(_:)-(ReadyJob)`` would, sharing the flushes of the folders they
    /// have in common: `.facedrop/` once every claim folder has its record, and each folder the files leave once
    /// every file has moved. A burst of drops thus pays those two flushes once, not once per job; each job's own
    /// record, claim folder and `input/` are flushed as before. One job's failure leaves the others alone.
    /// At most ``batchLimit`` jobs at a time.
    package func claim(_ jobs: [ReadyJob]) -> [Result<ClaimResult, ClaimError>] {
        let outcomes = move(jobs.map { Move(files: $0.files, folder: $0.folder, subpath: $0.subpath, stem: $0.stem) })
        return zip(jobs, outcomes).map { job, outcome in
            outcome.map { outcome in
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
        }
    }

    /// Claims an orphan's files in path order, to be failed with its reason.
    package func claim(_ orphan: OrphanFiles) throws(ClaimError) -> ClaimResult {
        let files = orphan.files.sorted { $0.path < $1.path }
        let outcome = try move([Move(files: files, folder: orphan.folder, subpath: orphan.subpath, stem: orphan.stem)])[0].get()
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
        let doomed = "\(name).discard"
        do {
            let work = try inbox().folder(workFolder)
            try work.move(name, to: doomed, replacing: true)
            try work.sync()
            try work.removeTree(doomed)
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

    /// One job's files on their way into a claim folder; the first file decides ownership.
    struct Move {
        let files: [FileSnapshot]
        /// The folder the files are in.
        let folder: String
        let subpath: String
        let stem: String
        var claimFolder = ""
        var moved: [(from: String, to: String)] = []
        /// Set once the job's claim is settled, one way or the other.
        var outcome: Result<MoveOutcome, ClaimError>?

        init(files: [FileSnapshot], folder: String, subpath: String, stem: String) {
            self.files = files
            self.folder = folder
            self.subpath = subpath
            self.stem = stem
        }

        var input: String { "\(claimFolder)/\(JobClaimer.inputFolderName)" }
    }

    /// Moves each job's files into a new claim folder of its own, in four steps, each done for every job before
    /// the next: the claim folders and their records (each flushed), one flush of `.facedrop/`, the moves (each
    /// job's files checked right before its own), then the flushes of each `input/` and, once per folder, of the
    /// folders the files left. A record is thus on disk before any file moves, and every move before the caller
    /// journals the claim. Returns each job's outcome, in order.
    ///
    /// The inbox and `.facedrop/` are opened once for the whole batch, and each claim folder and its `input/` are
    /// held from when they are made: reached again by path for each step, they cost an `openat` per component
    /// every time, some twenty a job.
    func move(_ jobs: [Move]) -> [Result<MoveOutcome, ClaimError>] {
        var jobs = jobs
        // Each made claim folder's `input/`, by job index, open until the claims are settled.
        var inputs: [Int: Folder] = [:]
        let inbox: Folder
        let work: Folder
        do {
            inbox = try self.inbox()
            work = try makeWorkFolder(in: inbox)
        } catch {
            return jobs.map { _ in .failure(ClaimError(error)) }
        }
        for index in jobs.indices {
            guard !jobs[index].files.isEmpty else {
                jobs[index].outcome = .success(.changed)
                continue
            }
            let claim: Folder
            do {
                (claim, inputs[index]) = try makeClaimFolder(in: work)
                jobs[index].claimFolder = claim.path
            } catch {
                jobs[index].outcome = .failure(ClaimError(error))
                continue
            }
            let job = jobs[index]
            let record = ClaimRecord(
                owner: owner,
                folder: job.folder,
                subpath: job.subpath,
                stem: job.stem,
                files: job.files.map { PathNames.last($0.path) },
                claimedAt: Date()
            )
            do {
                try record.write(to: claim)
            } catch {
                abandon(job.claimFolder)
                jobs[index].outcome = .failure(ClaimError(error))
            }
        }
        let recorded = jobs.indices.filter { jobs[$0].outcome == nil }
        if !recorded.isEmpty {
            do {
                try work.sync()
            } catch {
                for index in recorded {
                    abandon(jobs[index].claimFolder)
                    jobs[index].outcome = .failure(ClaimError(error))
                }
            }
        }
        // A job still unsettled here has its claim folder made, so its `input/` is in `inputs`.
        let made = inputs.sorted { $0.key < $1.key }
        for (index, input) in made where jobs[index].outcome == nil {
            jobs[index].outcome = moveFiles(&jobs[index], from: inbox, into: input)
        }
        for (index, input) in made where jobs[index].outcome == nil {
            do {
                try input.sync()
            } catch {
                jobs[index].outcome = .failure(undo(jobs[index], after: error))
            }
        }
        for folder in Set(jobs.filter { $0.outcome == nil }.map(\.folder)).sorted() {
            do {
                try inbox.folder(folder).sync()
            } catch {
                for index in jobs.indices where jobs[index].outcome == nil && jobs[index].folder == folder {
                    jobs[index].outcome = .failure(undo(jobs[index], after: error))
                }
            }
        }
        return jobs.map { job in job.outcome ?? .success(.claimed(folder: job.claimFolder, paths: job.moved.map(\.to))) }
    }

    /// Moves one recorded job's files into its claim folder; nil when they all moved (the flushes follow), else
    /// how the claim ended, with whatever had moved put back.
    private func moveFiles(_ job: inout Move, from inbox: Folder, into input: Folder) -> Result<MoveOutcome, ClaimError>? {
        recorded(job.stem)
        // Checked after the record, right before the moves: a file that changed since it looked
        // ready is still being written.
        for file in job.files {
            guard let now = FileSnapshot.lstat(file.path), now.isUnchanged(comparedTo: file) else {
                abandon(job.claimFolder)
                return .success(FileSnapshot.lstat(job.files[0].path) == nil ? .lost : .changed)
            }
        }
        for file in job.files {
            let name = PathNames.last(file.path)
            let destination = "\(job.input)/\(name)"
            do {
                try inbox.move(file.path, to: name, in: input, replacing: true)
                job.moved.append((file.path, destination))
            } catch {
                let undoProblem = putBack(job.moved)
                if undoProblem == nil { abandon(job.claimFolder) }
                if error.isNotFound, undoProblem == nil { return .success(job.moved.isEmpty ? .lost : .changed) }
                var failure = ClaimError(error)
                failure.undoProblem = undoProblem
                return .failure(failure)
            }
        }
        return nil
    }

    /// Puts a job's moved files back after a flush failed, and says so in the error.
    private func undo(_ job: Move, after error: FileSystemError) -> ClaimError {
        var failure = ClaimError(error)
        failure.undoProblem = putBack(job.moved)
        if failure.undoProblem == nil { abandon(job.claimFolder) }
        return failure
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

    /// Creates `.facedrop` in `inbox` if needed and opens it; refuses anything there that is not a real directory (a
    /// link could send the files elsewhere).
    func makeWorkFolder(in inbox: Folder) throws(FileSystemError) -> Folder {
        if try inbox.makeFolder(workFolder, mode: .privateFolder) {
            try inbox.sync()
        } else if !inbox.isFolder(workFolder) {
            throw .notAFolder("use work folder", path: workFolder)
        }
        return try inbox.folder(workFolder)
    }

    /// Creates a new claim folder in `work` (`.facedrop/`) with its `input/`, and returns both, open.
    func makeClaimFolder(in work: Folder) throws(FileSystemError) -> (claim: Folder, input: Folder) {
        let stamp = Self.timestamp(Date())
        for _ in 0..<16 {
            let name = "\(stamp)-\(Self.randomHex())"
            guard try work.makeFolder(name, mode: .privateFolder) else { continue }
            let claim = try work.folder(name)
            _ = try claim.makeFolder(Self.inputFolderName, mode: .privateFolder)
            return (claim, try claim.folder(Self.inputFolderName))
        }
        throw .alreadyExists("mkdir", path: "\(workFolder)/\(stamp)-…")
    }
}
