import CLinux
import Glibc

// The module's C calls, all through the `CLinux` shim: naming the running thread, and the boot-time timer that
// ``TimerClock`` sleeps on.

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

/// A one-shot kernel timer on the boot-time clock (`timerfd`), which one thread blocks on until it fires.
///
/// The boot-time clock is the one `ContinuousClock` reads, so a deadline taken from `ContinuousClock.now` is
/// met to the nanosecond, across a suspend of the machine too. Arming it again replaces the previous setting,
/// from any thread; the waiting thread then wakes at the new time.
struct BootTimer: ~Copyable {
    private let descriptor: Int32

    /// Nil when the kernel refuses a timer (out of descriptors).
    init?() {
        let descriptor = CLinux_bootTimerCreate()
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Fires once, `delay` from now (at once when `delay` is not positive).
    func arm(after delay: Duration) {
        let (seconds, attoseconds) = delay.components
        _ = CLinux_bootTimerArm(descriptor, seconds, attoseconds / 1_000_000_000)
    }

    /// Blocks the calling thread until the timer fires; returns early (harmlessly) when a signal interrupts.
    func wait() {
        _ = CLinux_bootTimerWait(descriptor)
    }
}
