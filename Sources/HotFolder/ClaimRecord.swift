import FileSystem
package import Foundation
import StrictJSON

/// `claim.json`: written into a claim folder before any file is moved in, so that a start-up sweep can
/// put the files back where they came from after a crash between the move and the journal.
package struct ClaimRecord: Sendable, Hashable {
    static let fileName = "claim.json"
    static let format: Int64 = 1

    /// Which daemon made the claim; a sweep only touches its own, as other hosts may share the inbox.
    package var owner: String
    /// The folder the files came from, absolute.
    package var folder: String
    package var subpath: String
    package var stem: String
    /// The names of the files, in claiming order.
    package var files: [String]
    package var claimedAt: Date

    var json: JSONValue {
        [
            "format": .integer(Self.format),
            "owner": .string(owner),
            "folder": .string(folder),
            "subpath": .string(subpath),
            "stem": .string(stem),
            "files": .array(files.map(JSONValue.string)),
            "claimed_at": .string(claimedAt.formatted(.iso8601)),
        ]
    }

    /// Reads the record of a claim folder; nil when it is missing or not one this version wrote.
    static func read(claimFolder: String, in inbox: Folder) -> ClaimRecord? {
        guard let bytes = try? inbox.read("\(claimFolder)/\(fileName)", limit: 1 << 20),
            let document = try? JSONParser().parse(bytes),
            document["format"]?.int64Value == format,
            let owner = document["owner"]?.stringValue,
            let folder = document["folder"]?.stringValue,
            let stem = document["stem"]?.stringValue
        else { return nil }
        return ClaimRecord(
            owner: owner,
            folder: folder,
            subpath: document["subpath"]?.stringValue ?? "",
            stem: stem,
            files: document["files"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            claimedAt: document["claimed_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) } ?? .distantPast
        )
    }

    /// Writes the record durably: a temporary name, flushed, renamed, and the claim folder flushed.
    func write(into claimFolder: String, in inbox: Folder) throws(FileSystemError) {
        try inbox.replace("\(claimFolder)/\(Self.fileName)", bytes: json.serialized(sortedKeys: true, pretty: true), mode: .privateFile)
    }

    /// Writes the record into the open claim folder `claim`, as ``write(into:in:)`` does.
    func write(to claim: Folder) throws(FileSystemError) {
        try claim.replace(Self.fileName, bytes: json.serialized(sortedKeys: true, pretty: true), mode: .privateFile)
    }
}
