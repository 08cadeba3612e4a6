import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Small file-system actions for the tests, done with the same system calls producers use.
enum TestFiles {
    /// Creates (or truncates) a file, writes `text` and closes it: one IN_CLOSE_WRITE.
    static func write(_ path: String, _ text: String = "data") throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure(operation: "open", path: path) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw POSIXFailure(operation: "write", path: path)
        }
    }

    /// Creates a file whose name is raw bytes (possibly not UTF-8) in `folder`; returns its path bytes.
    static func writeRawName(in folder: String, name: [UInt8]) throws -> [CChar] {
        let path = (Array(folder.utf8) + [0x2F] + name).map { CChar(bitPattern: $0) } + [0]
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure(operation: "open", path: folder) }
        close(fd)
        return path
    }

    static func unlinkRaw(_ path: [CChar]) {
        unlink(path)
    }

    static func makeFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    static func rename(_ source: String, _ destination: String) throws {
        guard Glibc.rename(source, destination) == 0 else { throw POSIXFailure(operation: "rename", path: source) }
    }

    static func link(_ source: String, _ destination: String) throws {
        guard Glibc.link(source, destination) == 0 else { throw POSIXFailure(operation: "link", path: source) }
    }

    static func symlink(_ target: String, _ path: String) throws {
        guard Glibc.symlink(target, path) == 0 else { throw POSIXFailure(operation: "symlink", path: path) }
    }

    static func makeFIFO(_ path: String) throws {
        guard mkfifo(path, 0o644) == 0 else { throw POSIXFailure(operation: "mkfifo", path: path) }
    }

    static func remove(_ path: String) throws {
        try FileManager.default.removeItem(atPath: path)
    }

    /// Opens /dev/null until every descriptor below `limit` is taken, runs `body`, then closes them.
    static func withDescriptorsTaken<T>(below limit: Int32, _ body: () async throws -> T) async rethrows -> T {
        var opened: [Int32] = []
        defer { for fd in opened { close(fd) } }
        while true {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { break }
            opened.append(fd)
            if fd >= limit { break }
        }
        if let last = opened.last, last >= limit {
            close(last)
            opened.removeLast()
        }
        return try await body()
    }

    /// The close-on-exec flag of every inotify descriptor of the process.
    static func inotifyDescriptorsCloseOnExec() -> [Bool] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.compactMap { name -> Bool? in
            guard let fd = Int32(name),
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)"),
                target == "anon_inode:inotify"
            else { return nil }
            return fcntl(fd, F_GETFD) & FD_CLOEXEC != 0
        }
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var code = errno
    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

/// Polls `condition` every 20 ms for up to `timeout`; the machine is loaded, so waits are generous.
func eventually(within timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The kernel's count of times a named thread of this process went to sleep, from /proc/self/task.
func voluntarySwitches(ofThreadNamed name: String) -> Int? {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    for task in tasks {
        let comm = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
        guard comm.trimmingCharacters(in: .whitespacesAndNewlines) == name else { continue }
        let status = (try? String(contentsOfFile: "/proc/self/task/\(task)/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
            return Int(line.split(separator: "\t").last ?? "")
        }
    }
    return nil
}
