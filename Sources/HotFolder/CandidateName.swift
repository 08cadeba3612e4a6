/// What a file name means to the drop protocol (docs/protocol.md §2), decided from the name alone.
///
/// Public so that `facedrop check` reads names exactly as the daemon does.
package enum CandidateName: Sendable, Hashable {
    /// `<stem>.<jpg|jpeg|png|webp>`.
    case face(stem: String)
    /// `<stem>.json`.
    case sidecar(stem: String)
    /// `<stem>.pose.<jpg|jpeg|png|webp>`; never a face itself.
    case pose(stem: String)
    /// `<stem>.batch.json` or `<stem>.batch.csv`: a batch ticket naming many faces of its folder with their settings.
    case ticket(stem: String)
    /// Any other name that is not ignored. It matters only if a sidecar names it as `pose_image`.
    case other

    /// The endings of a batch ticket's name, compared case-insensitively.
    static let ticketSuffixes = [".batch.json", ".batch.csv"]

    /// The image extensions a face or pose may have, compared case-insensitively.
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "webp"]

    /// Suffixes that producers use while a file is still being written, compared case-insensitively.
    static let partialSuffixes = [".tmp", ".part", ".partial", ".crdownload", ".swp"]

    /// How `imageExtensions` read in a sentence: "photo.jpg, .jpeg, .png or .webp".
    static func faceNames(for stem: String) -> String {
        "\(stem).jpg, .jpeg, .png or .webp"
    }

    /// Classifies a file name (the last path component); nil when the name is ignored: dotfiles,
    /// Office lock files (`~$…`) and the partial-download suffixes.
    package init?(name: String) {
        guard Self.isEligible(name) else { return nil }
        let lowered = name.lowercased()
        if let suffix = Self.ticketSuffixes.first(where: { lowered.hasSuffix($0) }), name.utf8.count > suffix.utf8.count {
            self = .ticket(stem: String(name.dropLast(suffix.count)))
            return
        }
        guard let dot = name.lastIndex(of: ".") else {
            self = .other
            return
        }
        let base = String(name[..<dot])
        let fileExtension = name[name.index(after: dot)...].lowercased()
        if fileExtension == "json" {
            self = .sidecar(stem: base)
        } else if Self.imageExtensions.contains(fileExtension) {
            if base.count > 5, base.lowercased().hasSuffix(".pose") {
                self = .pose(stem: String(base.dropLast(5)))
            } else {
                self = .face(stem: base)
            }
        } else {
            self = .other
        }
    }

    /// Whether a name may be part of a job at all.
    static func isEligible(_ name: String) -> Bool {
        if name.isEmpty || name.hasPrefix(".") || name.hasPrefix("~$") { return false }
        let lowered = name.lowercased()
        return !partialSuffixes.contains { lowered.hasSuffix($0) }
    }

    /// Whether a sidecar's `pose_image` is a name the tracker waits for: a plain name in the sidecar's
    /// own folder (no `/`, not `.` or `..`, no NUL) that is not ignored. Anything else is not waited
    /// for; the job goes ahead without a pose and validation reports the name.
    static func isWaitablePoseName(_ name: String) -> Bool {
        // `.` and `..` start with a dot, so `isEligible` already refuses them.
        !name.contains("/") && !name.contains("\0") && isEligible(name)
    }

    /// The stem a job's files share, or nil for `.other` and a ticket (which is no member of a job).
    var stem: String? {
        switch self {
        case .face(let stem), .sidecar(let stem), .pose(let stem): stem
        case .ticket, .other: nil
        }
    }
}
