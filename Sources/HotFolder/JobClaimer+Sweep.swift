import DedicatedThreads
import FileSystem
import Foundation
import Logging

extension JobClaimer {
    /// The start-up sweep: puts back the files of this daemon's claim folders that the journal does not
    /// know (a crash between the move and the journal entry), and removes them.
    ///
    /// Files return to the folder `claim.json` names (recreated if it was removed meanwhile) under their
    /// own names; a name taken meanwhile gets `.restored-N` before its extension. Claim folders without
    /// a record are half-made (the record is written before any move) and are removed; if one holds
    /// files anyway, they go to the inbox root. Claim folders of other owners are left alone: another
    /// daemon may be working on them; so are claims with receipts (see ``ClaimAdopter/unjournaledClaims(known:)``).
    /// Interrupted discards are finished.
    ///
    /// - Parameter known: the claim folders the journal knows, as ``ClaimedFiles/folder`` gave them.
    /// - Returns: the paths of the restored files.
    package func sweep(known: Set<String>) -> [String] {
        guard let inbox = try? inbox(), let names = try? inbox.names(workFolder) else { return [] }
        var restored: [String] = []
        for name in names.sorted() {
            let path = "\(workFolder)/\(name)"
            guard inbox.isFolder(path) else { continue }
            if name.hasSuffix(".discard"), Self.isClaimFolderName(String(name.dropLast(8))) {
                try? inbox.removeTree(path)
                continue
            }
            guard Self.isClaimFolderName(name), !known.contains(path) else { continue }
            let record = ClaimRecord.read(claimFolder: path, in: inbox)
            if let record, record.owner != owner { continue }
            // A claim with receipts was adopted from a dead host and the adopter stopped before journaling it: its job
            // may have been sent, so its files must never go back to be claimed anew. The takeover journals it.
            if !ClaimReceipt.read(claimFolder: path, in: inbox).isEmpty { continue }
            restored += restoreClaim(path, record: record)
        }
        return restored
    }

    /// Puts an adopted claim's files back where they came from and removes the claim (see ``ClaimAdopter/Adopted``):
    /// one whose owner died before all its files were moved in, and before anything was sent.
    package func putBack(adopted claimFolder: String, record: ClaimRecord) -> [String] {
        restoreClaim(claimFolder, record: record)
    }

    /// Puts one claim folder's files back and removes the folder if it is empty then.
    private func restoreClaim(_ claimFolder: String, record: ClaimRecord?) -> [String] {
        let input = "\(claimFolder)/\(Self.inputFolderName)"
        let names = (try? inbox().names(input)) ?? []
        let destination = record.map(\.folder).flatMap(originalFolder) ?? inboxRoot
        var restored: [String] = []
        var failed = false
        if !names.isEmpty {
            do {
                _ = try inbox().folder(destination, creating: true, mode: .sharedFolder)
            } catch {
                logger.warning("could not recreate the folder of a claim", metadata: ["error": "\(error)"])
                return []
            }
        }
        for name in names.sorted() {
            do {
                restored.append(try restore("\(input)/\(name)", named: name, into: destination))
            } catch {
                failed = true
                logger.warning(
                    "could not put a claimed file back",
                    metadata: ["file": "\(input)/\(name)", "error": "\(error)"]
                )
            }
        }
        if !restored.isEmpty {
            try? inbox().folder(destination).sync()
            logger.notice(
                "put back the files of a claim the journal does not know",
                metadata: ["claim": "\(claimFolder)", "files": "\(restored)"]
            )
        }
        if !failed { abandon(claimFolder) }
        return restored
    }

    /// The folder a record names, if it is inside the inbox and not under a dot-folder; nil otherwise
    /// (a record is inside a shared folder, so it is not trusted to send files anywhere else).
    private func originalFolder(_ folder: String) -> String? {
        if folder == inboxRoot { return folder }
        guard folder.hasPrefix(inboxRoot + "/") else { return nil }
        let components = folder.dropFirst(inboxRoot.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        guard components.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else { return nil }
        return folder
    }

    // MARK: Helpers shared by claiming, sweeping and discarding

    /// Moves `source` to `folder/name`, or to `folder/<base>.restored-N.<ext>` when the name is taken.
    /// Returns the path it ended at.
    func restore(_ source: String, named name: String, into folder: String) throws(FileSystemError) -> String {
        var candidate = "\(folder)/\(name)"
        for attempt in 1...1000 {
            if try inbox().move(source, to: candidate, replacing: false) { return candidate }
            candidate = "\(folder)/\(Self.restoredName(name, attempt: attempt))"
        }
        throw .alreadyExists("rename", path: candidate)
    }

    /// `photo.jpg` → `photo.restored-1.jpg`; `photo` → `photo.restored-1`. The base is shortened when the
    /// whole would pass NAME_MAX (255 bytes), as it would for a name that was 255 bytes long already.
    static func restoredName(_ name: String, attempt: Int) -> String {
        let dot = name.lastIndex(of: ".").flatMap { $0 == name.startIndex ? nil : $0 }
        var base = name[..<(dot ?? name.endIndex)]
        let suffix = ".restored-\(attempt)\(name[(dot ?? name.endIndex)...])"
        while base.utf8.count + suffix.utf8.count > 255, !base.isEmpty { base.removeLast() }
        return String(base) + suffix
    }

    /// `yyyyMMdd'T'HHmmss` in UTC; counted without a calendar from 1970 to 9999 (every claim asks it of the time).
    static func timestamp(_ date: Date) -> String {
        if let time = UTCTime(date) {
            return UTCTime.padded(time.year, 4) + UTCTime.padded(time.month, 2) + UTCTime.padded(time.day, 2) + "T"
                + UTCTime.padded(time.hour, 2) + UTCTime.padded(time.minute, 2) + UTCTime.padded(time.second, 2)
        }
        return calendarTimestamp(date)
    }

    /// ``timestamp(_:)`` by the Gregorian calendar: for moments before 1970 or after 9999.
    static func calendarTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02d",
            parts.year ?? 0,
            parts.month ?? 0,
            parts.day ?? 0,
            parts.hour ?? 0,
            parts.minute ?? 0,
            parts.second ?? 0
        )
    }

    /// 64 random bits as 16 hex digits.
    static func randomHex() -> String {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The suffix an adoption by `owner` gives a claim folder: 8 hex digits that name the adopter (``adopterTag(_:)``),
    /// then 8 random ones, so that a claim adopted again by the same host still gets a new name.
    package static func adoptionSuffix(owner: String) -> String {
        adopterTag(owner) + String(randomHex().suffix(8))
    }

    /// The first 8 hex digits of a host's owner tag (``HostLeases/ownerTag(_:)``): the first half of the suffix an
    /// adoption gives a claim folder. It tells the other hosts who adopted a claim before the adopter has rewritten
    /// its record.
    package static func adopterTag(_ owner: String) -> String {
        String(HostLeases.ownerTag(owner).prefix(8))
    }

    /// The adopter tag of an adopted claim folder's name (see ``adoptionSuffix(owner:)``); nil for a claim never
    /// adopted.
    package static func adopterTag(ofClaimFolderName name: String) -> String? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].utf8.count == 16 else { return nil }
        return String(parts[2].prefix(8))
    }

    /// Whether `name` looks like a claim folder this module made: `yyyyMMddTHHmmss-<hex>`, or, adopted from a dead
    /// host, that and `-<hex>` (see ``ClaimAdopter``).
    static func isClaimFolderName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3 {
            return isClaimFolderName("\(parts[0])-\(parts[1])") && parts[2].utf8.count == 16 && isClaimFolderName("\(parts[0])-\(parts[2])")
        }
        let characters = Array(name.utf8)
        guard characters.count > 16, characters[8] == UInt8(ascii: "T"), characters[15] == UInt8(ascii: "-") else {
            return false
        }
        let isDigit = { (c: UInt8) in c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        let isHex = { (c: UInt8) in isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) }
        return characters[0..<8].allSatisfy(isDigit) && characters[9..<15].allSatisfy(isDigit)
            && characters[16...].allSatisfy(isHex)
    }
}
