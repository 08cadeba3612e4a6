import Glibc

/// The signals the tests send to a daemon (Foundation's `Process` sends only SIGTERM and SIGINT).
enum ProcessSignal {
    case terminate
    case hangUp
    case kill
    case stop
    case `continue`

    fileprivate var number: Int32 {
        switch self {
        case .terminate: SIGTERM
        case .hangUp: SIGHUP
        case .kill: SIGKILL
        case .stop: SIGSTOP
        case .continue: SIGCONT
        }
    }

    /// Sends the signal to `pid`; says whether the process existed.
    @discardableResult
    func send(to pid: Int32) -> Bool {
        Glibc.kill(pid, number) == 0
    }
}

/// A failed system call, with its errno.
struct POSIXFailure: Error, CustomStringConvertible {
    var call: String
    var path: String
    var errno: Int32

    var description: String {
        "\(call)(\(path)): \(String(cString: strerror(errno)))"
    }
}

/// The file system calls whose exact semantics the producers in the tests need: `rename(2)` replaces its
/// target in one step (a reader never sees a missing or half file), `link(2)` adds a second name to a
/// finished file.
enum POSIXFiles {
    static func rename(_ source: String, to target: String) throws(POSIXFailure) {
        guard Glibc.rename(source, target) == 0 else { throw POSIXFailure(call: "rename", path: target, errno: Glibc.errno) }
    }

    static func link(_ existing: String, to newName: String) throws(POSIXFailure) {
        guard Glibc.link(existing, newName) == 0 else { throw POSIXFailure(call: "link", path: newName, errno: Glibc.errno) }
    }
}

/// The clock the kernel counts CPU time in (`/proc/<pid>/stat` utime and stime).
enum ProcessClock {
    static var ticksPerSecond: Int { Int(sysconf(Int32(_SC_CLK_TCK))) }
}

/// The hostile entries a test plants: links, FIFOs, device nodes and names that are not valid UTF-8,
/// made with the raw calls so that nothing on the way normalises or follows them.
extension POSIXFiles {
    static func symlink(_ target: String, at path: String) throws(POSIXFailure) {
        guard Glibc.symlink(target, path) == 0 else { throw POSIXFailure(call: "symlink", path: path, errno: Glibc.errno) }
    }

    static func makeFIFO(_ path: String) throws(POSIXFailure) {
        guard mkfifo(path, 0o644) == 0 else { throw POSIXFailure(call: "mkfifo", path: path, errno: Glibc.errno) }
    }

    /// A character device node with the given numbers (1,3 is /dev/null, 1,5 /dev/zero); needs CAP_MKNOD.
    static func makeCharacterDevice(_ path: String, major: UInt32, minor: UInt32) throws(POSIXFailure) {
        // makedev(3) is a macro; this is its encoding for numbers below 256.
        let device = dev_t(major & 0xFFF) << 8 | dev_t(minor & 0xFF)
        guard mknod(path, S_IFCHR | 0o644, device) == 0 else {
            throw POSIXFailure(call: "mknod", path: path, errno: Glibc.errno)
        }
    }

    /// What a link points at, or nil when `path` is no link.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `lstat`: the entry itself, never what a link points at.
    static func status(_ path: String) -> (kind: mode_t, inode: UInt64, links: Int, size: Int64)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (info.st_mode & S_IFMT, UInt64(info.st_ino), Int(info.st_nlink), Int64(info.st_size))
    }

    /// Creates `folder/<name>` from raw name bytes (which need not be UTF-8) holding `contents`.
    static func create(rawName name: [UInt8], in folder: String, contents: [UInt8]) throws(POSIXFailure) {
        let path = Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]
        let fd = path.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        }
        guard fd >= 0 else { throw POSIXFailure(call: "open", path: folder, errno: Glibc.errno) }
        defer { close(fd) }
        let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == contents.count else { throw POSIXFailure(call: "write", path: folder, errno: Glibc.errno) }
    }

    /// The raw names in a folder, so names that are not UTF-8 can be checked byte for byte.
    static func rawNames(in folder: String) -> [[UInt8]] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }

    /// Removes `folder/<name>` by its raw bytes.
    static func remove(rawName name: [UInt8], in folder: String) {
        let path = Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]
        _ = path.withUnsafeBufferPointer { raw in raw.withMemoryRebound(to: CChar.self) { unlink($0.baseAddress!) } }
    }
}
