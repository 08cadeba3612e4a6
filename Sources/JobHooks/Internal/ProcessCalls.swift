import CLinux
import Glibc

// Every C call made by this module lives in this file.

/// The system calls a hook command needs: a pipe for its output, the fork and exec (in CLinux's C shim, since the
/// child of a multithreaded process may only make async-signal-safe calls), the wait, and the user database.
enum ProcessCalls {
    /// A user a root daemon drops to before running a command.
    struct Account: Sendable, Equatable {
        var uid: UInt32
        var gid: UInt32
        var groups: [UInt32]
    }

    /// What ``wait(for:output:stop:timeout:grace:capacity:)`` saw.
    struct Ending: Sendable {
        var status: Int32
        var stoppedBy: Int32
        var output: [UInt8]
        var dropped: Int
    }

    static var effectiveUserID: UInt32 { geteuid() }

    /// `pipe2(O_CLOEXEC)`: (read end, write end).
    static func pipe() -> Result<(Int32, Int32), Errno> {
        var ends: [Int32] = [-1, -1]
        guard CLinux_pipe(&ends) == 0 else { return .failure(Errno.current) }
        return .success((ends[0], ends[1]))
    }

    static func close(_ descriptor: Int32) {
        _ = Glibc.close(descriptor)
    }

    /// Writes one byte, to wake a waiting thread through a pipe.
    static func poke(_ descriptor: Int32) {
        var byte: UInt8 = 1
        _ = Glibc.write(descriptor, &byte, 1)
    }

    /// Starts the command; the pid, or the errno of the fork, the exec or the privilege drop.
    static func spawn(_ arguments: [String], environment: [String], output: Int32, account: Account?) -> Result<Int32, Errno> {
        withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                let groups = account?.groups ?? []
                let pid = groups.withUnsafeBufferPointer { groupBuffer in
                    CLinux_spawnHook(
                        argv[0],
                        argv,
                        envp,
                        output,
                        account == nil ? 0 : 1,
                        account?.uid ?? 0,
                        account?.gid ?? 0,
                        groupBuffer.baseAddress,
                        groupBuffer.count
                    )
                }
                return pid < 0 ? .failure(Errno.current) : .success(pid)
            }
        }
    }

    /// Blocks until the child ends, reading its output; see `CLinux_waitHook`.
    static func wait(for pid: Int32, output: Int32, stop: Int32, timeout: Duration, grace: Duration, capacity: Int) -> Result<Ending, Errno> {
        var buffer = [UInt8](repeating: 0, count: capacity)
        var end = CLinux_HookEnd()
        let result = buffer.withUnsafeMutableBufferPointer { bytes in
            CLinux_waitHook(pid, output, stop, milliseconds(timeout), milliseconds(grace), bytes.baseAddress, capacity, &end)
        }
        guard result == 0 else { return .failure(Errno.current) }
        return .success(Ending(status: end.status, stoppedBy: end.stopped, output: Array(buffer[0..<end.kept]), dropped: end.dropped))
    }

    /// How a `waitpid` status ended: the exit code, or the signal that killed the process.
    static func decode(_ status: Int32) -> (exit: Int32?, signal: Int32?) {
        let signal = status & 0x7F
        if signal == 0 { return ((status >> 8) & 0xFF, nil) }
        return (nil, signal)
    }

    /// The user `name`'s IDs and groups from the user database (`getpwnam_r`, `getgrouplist`); nil when unknown.
    static func account(named name: String) -> Account? {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var storage = [CChar](repeating: 0, count: 16_384)
        let status = storage.withUnsafeMutableBufferPointer { getpwnam_r(name, &entry, $0.baseAddress!, $0.count, &found) }
        guard status == 0, found != nil else { return nil }
        let uid = entry.pw_uid
        let gid = entry.pw_gid
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(name, gid, &groups, &count) < 0 { return Account(uid: uid, gid: gid, groups: [gid]) }
        }
        return Account(uid: uid, gid: gid, groups: Array(groups.prefix(Int(count))))
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// `strings` as a NULL-terminated array of C strings, valid inside `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}

/// An `errno` value with the system's text for it.
struct Errno: Error, Sendable, Equatable, CustomStringConvertible {
    let code: Int32

    static var current: Errno { Errno(code: errno) }

    var description: String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
