import Glibc

/// The signals the tests send to a daemon (Foundation's `Process` sends only SIGTERM and SIGINT).
enum ProcessSignal {
    case terminate
    case hangUp
    case kill

    fileprivate var number: Int32 {
        switch self {
        case .terminate: SIGTERM
        case .hangUp: SIGHUP
        case .kill: SIGKILL
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
