import Glibc

/// Every POSIX call of the Daemon module.
enum POSIX {
    /// Opens (creating) `path` and takes an exclusive non-blocking `flock`; returns the descriptor, kept
    /// open for the life of the process, or the errno of the failure (`EWOULDBLOCK` when another holds it).
    static func lockFile(_ path: String) -> Result<Int32, POSIXFailure> {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return .failure(POSIXFailure(code: errno)) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            return .failure(POSIXFailure(code: code))
        }
        return .success(descriptor)
    }

    /// Replaces the content of an open file with `text` (the lock holder's PID, for the error of the next one).
    static func overwrite(_ descriptor: Int32, with text: String) {
        _ = ftruncate(descriptor, 0)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    static func closeDescriptor(_ descriptor: Int32) {
        close(descriptor)
    }

    static var processID: Int32 { getpid() }

    /// Names the calling thread for the kernel (`top -H`, `/proc/<pid>/task/<tid>/comm`; at most 15 bytes).
    ///
    /// Foundation's `Thread.current.name` setter only reaches the kernel when it already knows the thread as
    /// its own, which a freshly started thread may not yet be: the name then stays the one inherited from the
    /// thread that created it (a cooperative thread's `…oot.default-qos`).
    /// (`pthread_setname_np` is a GNU extension Swift's Glibc module does not show, and `prctl` is variadic;
    /// the thread's own `comm` file in procfs sets the same name.)
    static func nameThisThread(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    /// `mkdir -p` for a folder of the state folder: nil when it exists (or was made), else what the system said.
    static func makeDirectories(_ path: String, mode: mode_t = 0o700) -> POSIXFailure? {
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            built += "/\(component)"
            if mkdir(built, mode) != 0 {
                let code = errno
                guard code == EEXIST else { return POSIXFailure(code: code) }
            }
        }
        return nil
    }

    /// `kill -9` of this process: nothing after this call runs.
    static func killSelf() -> Never {
        kill(getpid(), SIGKILL)
        while true { pause() }
    }

    static func isWouldBlock(_ failure: POSIXFailure) -> Bool {
        failure.code == EWOULDBLOCK || failure.code == EAGAIN
    }
}

/// An errno with its text.
struct POSIXFailure: Error, CustomStringConvertible {
    var code: Int32
    var description: String { "\(String(cString: strerror(code))) (errno \(code))" }
}
