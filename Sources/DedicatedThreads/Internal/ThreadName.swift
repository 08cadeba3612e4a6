import CLinux

// The module's only C call: naming the running thread in the kernel.

/// The kernel's name of the running thread, as `top -H`, `ps -L` and `/proc/<pid>/task/<tid>/comm` show it.
///
/// Foundation's `Thread.name` setter reaches the kernel only when Foundation already knows the thread as its
/// own, which a freshly started thread may not yet be: the name then stays the one inherited from the thread
/// that created it (a cooperative thread's `…oot.default-qos`). So the thread names itself with
/// `pthread_setname_np`, a GNU extension Swift's Glibc module does not show, through the `CLinux` shim.
enum ThreadName {
    /// Linux keeps 15 bytes of a thread's name (16 with the NUL).
    static let byteLimit = 15

    /// `name` cut to what the kernel keeps, at a character boundary so no UTF-8 sequence is split.
    static func truncated(_ name: String) -> String {
        var kept = ""
        var bytes = 0
        for character in name {
            let size = character.utf8.count
            guard bytes + size <= byteLimit else { break }
            kept.append(character)
            bytes += size
        }
        return kept
    }

    /// Names the calling thread. A failure is ignored: the name only helps a person reading `top -H`.
    static func setForCurrentThread(_ name: String) {
        _ = CLinux_setThreadName(truncated(name))
    }
}
