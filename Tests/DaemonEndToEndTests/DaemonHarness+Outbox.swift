import Foundation
import SegmindCatalog
import StrictJSON
import Testing

/// Where a job ended.
enum JobOutcomeFolder: String {
    case done
    case failed
    case cancelled

    var recordName: String {
        switch self {
        case .done: "result.json"
        case .failed: "error.json"
        case .cancelled: "cancelled.json"
        }
    }
}

/// Reading what the daemon produced: job folders, records, credit files and anything it left behind.
extension DaemonHarness {
    /// The job folders under `done/` or `failed/`, relative to it (`a/b/x`), sorted: every folder that holds
    /// the outcome's record file.
    func jobs(_ outcome: JobOutcomeFolder, outbox: Int = 0) -> [String] {
        let root = "\(settings.inboxes[outbox].outbox)/\(outcome.rawValue)"
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let components = relative.split(separator: "/")
            guard components.last.map(String.init) == outcome.recordName, components.count >= 2,
                components.dropLast().last != "input"
            else { continue }
            found.append(components.dropLast().joined(separator: "/"))
        }
        return found.sorted()
    }

    /// How many entries `done/` or `failed/` holds at its top: cheap enough to poll with thousands of jobs.
    func topLevelCount(_ outcome: JobOutcomeFolder, outbox: Int = 0) -> Int {
        let root = "\(settings.inboxes[outbox].outbox)/\(outcome.rawValue)"
        return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).count
    }

    /// The absolute path of a job folder.
    func jobFolder(_ outcome: JobOutcomeFolder, _ job: String, outbox: Int = 0) -> String {
        "\(settings.inboxes[outbox].outbox)/\(outcome.rawValue)/\(job)"
    }

    /// `result.json` or `error.json` of a job.
    func record(_ outcome: JobOutcomeFolder, _ job: String, outbox: Int = 0) throws -> JSONValue {
        try Self.readJSON("\(jobFolder(outcome, job, outbox: outbox))/\(outcome.recordName)")
    }

    /// The files of a job's `input/` folder with their bytes.
    func inputs(_ outcome: JobOutcomeFolder, _ job: String, outbox: Int = 0) -> [String: [UInt8]] {
        let folder = "\(jobFolder(outcome, job, outbox: outbox))/input"
        var files: [String: [UInt8]] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            files[name] = (try? Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)"))).map { [UInt8]($0) }
        }
        return files
    }

    /// `credits.json`, if written.
    func creditsFile(outbox: Int = 0) -> JSONValue? {
        try? Self.readJSON("\(settings.inboxes[outbox].outbox)/credits.json")
    }

    /// The names in `warnings/` that end with `suffix` (e.g. `-credits-low.json`).
    func warnings(endingWith suffix: String, outbox: Int = 0) -> [String] {
        let folder = "\(settings.inboxes[outbox].outbox)/warnings"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// The regular files still in an inbox, its working folder included, relative to the inbox; the host leases of a
    /// shared inbox (`.facedrop/hosts/`), which stay, are left out.
    func inboxFiles(inbox: Int = 0) -> [String] {
        let root = settings.inboxes[inbox].path
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(relative)", isDirectory: &isFolder), !isFolder.boolValue,
                !relative.hasPrefix(".facedrop/hosts/")
            {
                files.append(relative)
            }
        }
        return files.sorted()
    }

    /// What an interrupted write or a crash can leave behind and a finished daemon must not: `.*.tmp` files
    /// anywhere, entries in an outbox's `.facedrop-staging/`, claim folders in an inbox's `.facedrop/`, and
    /// job folders (with their `.download-*` files) in the spool.
    func leftovers() -> [String] {
        var found: [String] = []
        let roots = settings.inboxes.flatMap { [$0.path, $0.outbox] } + [state]
        for root in Set(roots).sorted() {
            guard let enumerator = FileManager.default.enumerator(atPath: root) else { continue }
            while let relative = enumerator.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") && name.hasSuffix(".tmp") || name.hasPrefix(".download-") {
                    found.append("\(root)/\(relative)")
                }
            }
        }
        for inbox in settings.inboxes {
            for (folder, label) in [("\(inbox.outbox)/.facedrop-staging", "staging"), ("\(inbox.path)/.facedrop", "claim")] {
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !(label == "claim" && entry == "hosts") {
                    found.append("\(label): \(folder)/\(entry)")
                }
            }
        }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "\(state)/spool")) ?? [] {
            found.append("spool: \(state)/spool/\(entry)")
        }
        return found
    }

    /// The failed jobs with their codes and messages, for failure messages.
    var failureSummary: Comment {
        let lines = jobs(.failed).map { job in
            let record = try? record(.failed, job)
            return "\(job): \(record?["code"]?.stringValue ?? "?") \(record?["message"]?.stringValue ?? "")"
        }
        return Comment(rawValue: "failed: " + lines.joined(separator: "; "))
    }

    /// A short picture of the folders for failure messages.
    func describeFolders() -> String {
        let done = jobs(.done)
        let failed = jobs(.failed)
        let spool = (try? FileManager.default.contentsOfDirectory(atPath: "\(state)/spool")) ?? []
        return """
            done (\(done.count)): \(done.prefix(20).joined(separator: ", "))
            failed (\(failed.count)): \(failed.prefix(20).joined(separator: ", "))
            inbox files: \(inboxFiles().prefix(20).joined(separator: ", "))
            spool: \(spool.prefix(20).joined(separator: ", "))
            daemon running: \(isRunning)
            """
    }

    static func readJSON(_ path: String) throws -> JSONValue {
        try JSONParser().parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}
