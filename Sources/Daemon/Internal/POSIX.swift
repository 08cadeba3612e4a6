import Glibc

/// The process calls of the Daemon module (its files go through the FileSystem module).
enum POSIX {
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

    /// `kill -9` of this process: nothing after this call runs.
    static func killSelf() -> Never {
        kill(getpid(), SIGKILL)
        while true { pause() }
    }
}
