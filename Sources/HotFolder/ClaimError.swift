import FileSystem

/// Why a claim, a sweep step or a discard could not be done.
///
/// A claim that throws has put back every file it had moved (unless ``undoProblem`` says otherwise),
/// so the job is still in the inbox and may be observed again.
package struct ClaimError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The system call or step that failed, e.g. "rename" or "mkdir".
    package var operation: String
    /// The path it failed on.
    package var path: String
    /// What the system said.
    package var reason: String
    /// Set when putting already moved files back failed too; the files then wait in the claim folder
    /// for the next start-up sweep.
    package var undoProblem: String?

    package init(operation: String, path: String, reason: String, undoProblem: String? = nil) {
        self.operation = operation
        self.path = path
        self.reason = reason
        self.undoProblem = undoProblem
    }

    init(_ error: FileSystemError) {
        self.init(operation: error.operation, path: error.path, reason: error.reasonText)
    }

    package var description: String {
        let base = "\(operation) \(path): \(reason)"
        guard let undoProblem else { return base }
        return "\(base); putting the files back failed too (\(undoProblem)), the next start-up restores them"
    }
}
