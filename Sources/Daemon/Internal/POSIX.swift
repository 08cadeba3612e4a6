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
