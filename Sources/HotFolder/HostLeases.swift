package import FileSystem
package import Foundation
import Hashing
import StrictJSON

/// The hosts sharing one inbox, each with a lease file in `<inbox>/.facedrop/hosts/`.
///
/// Each host rewrites its own lease every lease interval. A lease's age is measured on the share's own clock,
/// never on a host's: ``shareNow()`` writes a small file of this host's there (`.clock-<id>`) and reads back the
/// modification time the file server gave it, and a lease's age is that time minus the lease file's modification
/// time, set by the same server when the lease was written. Two hosts whose clocks disagree by minutes thus agree
/// on every lease's age. Only writes of data are used (a new file written and renamed into place), never
/// `utimensat`, because a network filesystem may set a time the client names (sshfs does) but stamps data it
/// receives with its own.
///
/// The calls block on the filesystem; run them on a dedicated thread.
package struct HostLeases: Sendable {
    /// `<inbox>/.facedrop/hosts`.
    package static let folderName = "hosts"

    /// The inbox folder, absolute, without a trailing `/`.
    package let inboxRoot: String
    /// This host's claim owner (host name and state folder), as in `claim.json`.
    package let owner: String

    /// Who reads the share's clock (``shareNow()``) for this owner.
    package enum ClockReader: Sendable {
        /// The daemon: `.clock-<lease>`.
        case daemon
        /// `facedrop status`, run beside the daemon with the same owner: `.clock-<lease>-status`. With one file for
        /// both, each write of it removing the previous one's temporary file first, the command would remove the
        /// daemon's between its write and its rename, failing the daemon's look for dead hosts' claims (on a network
        /// share, where each step is a round trip, often).
        case status
    }

    /// Whose clock file ``shareNow()`` writes.
    package let reader: ClockReader

    package init(inboxRoot: String, owner: String, reader: ClockReader = .daemon) {
        var root = inboxRoot
        while root.hasSuffix("/") { root.removeLast() }
        self.inboxRoot = root
        self.owner = owner
        self.reader = reader
    }

    /// `<inbox>/.facedrop/hosts`.
    package var folder: String { "\(inboxRoot)/.facedrop/\(Self.folderName)" }

    /// The lease file's name for `owner`: its host name (letters, digits, `-`, `_` and `.` kept) and 12 hex digits
    /// of the owner's SHA-256, so two daemons of one host (two state folders) have a lease each.
    package static func leaseName(owner: String) -> String {
        let host = owner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let safe = String(
            host.unicodeScalars.prefix(64).map { scalar in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar)) ? Character(scalar) : "_"
            }
        )
        return "\(safe.isEmpty || safe.hasPrefix(".") ? "host" : safe)-\(ownerTag(owner)).json"
    }

    /// 12 hex digits of the owner's SHA-256: names what belongs to one host in names others see.
    package static func ownerTag(_ owner: String) -> String {
        String(SHA256.hash(Array(owner.utf8)).hex.prefix(12))
    }

    /// This host's lease file name.
    package var leaseName: String { Self.leaseName(owner: owner) }

    /// Writes this host's lease (a new file renamed over the old one, flushed): the file's new modification time,
    /// set by the share, is what the other hosts read.
    package func renew(_ lease: HostLease) throws(FileSystemError) {
        let inbox = try openFolder()
        try inbox.replace("\(folder)/\(leaseName)", bytes: lease.json.serialized(sortedKeys: true, pretty: true), mode: .sharedFile)
    }

    /// The share's clock: the modification time the share gives a file this host has just written.
    package func shareNow() throws(FileSystemError) -> Date {
        let inbox = try openFolder()
        let clock = "\(folder)/.clock-\(leaseName.dropLast(5))\(reader == .status ? "-status" : "")"
        // A temporary name of this process's own, too: two `facedrop status` commands may read the clock at once.
        try inbox.replace(
            clock,
            bytes: Array("\(owner)\n".utf8),
            mode: .sharedFile,
            temporaryName: ".clock.\(ProcessInfo.processInfo.processIdentifier).tmp",
            syncingFolder: false,
            durably: false
        )
        guard let status = try inbox.status(clock) else { throw .notFound("read the share's clock from", path: inbox.display(clock)) }
        return Self.date(status.modifiedNanoseconds)
    }

    /// Every lease in the folder with its age on the share's clock (``shareNow()``), oldest first; this host's own
    /// included. A file that cannot be read as a lease is left out.
    /// - Parameter given: the share's clock, when the caller has just read it (``shareNow()``); read here otherwise.
    package func seen(at given: Date? = nil) throws(FileSystemError) -> [SeenHost] {
        let now: Date
        if let given { now = given } else { now = try shareNow() }
        let inbox = try Folder.open(inboxRoot)
        var hosts: [SeenHost] = []
        for name in try inbox.names(folder) where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = "\(folder)/\(name)"
            guard let status = try? inbox.status(path), status.kind == .regular,
                let bytes = try? inbox.read(path, limit: 64 << 10),
                let document = try? JSONParser().parse(bytes),
                let lease = HostLease(document)
            else { continue }
            let age = now.timeIntervalSince(Self.date(status.modifiedNanoseconds))
            hosts.append(SeenHost(leaseName: name, lease: lease, age: .milliseconds(Int64((max(age, 0) * 1000).rounded()))))
        }
        return hosts.sorted { $0.age > $1.age }
    }

    /// The inbox, with `.facedrop/hosts/` made if it is missing.
    private func openFolder() throws(FileSystemError) -> Folder {
        let inbox = try Folder.open(inboxRoot)
        for path in ["\(inboxRoot)/.facedrop", folder] {
            if try inbox.makeFolder(path, mode: path == folder ? .sharedFolder : .privateFolder) {
                try inbox.folder(PathNames.parent(path)).sync()
            } else if !inbox.isFolder(path) {
                throw .notAFolder("use the hosts folder", path: inbox.display(path))
            }
        }
        return inbox
    }

    static func date(_ nanoseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(nanoseconds) / 1_000_000_000)
    }
}
