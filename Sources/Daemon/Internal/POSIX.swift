import CLinux
import Glibc

/// The process calls of the Daemon module (its files go through the FileSystem module).
enum POSIX {
    /// `kill -9` of this process: nothing after this call runs.
    static func killSelf() -> Never {
        kill(getpid(), SIGKILL)
        while true { pause() }
    }
}

extension POSIX {
    /// Starts a thread that, `delay` from now, asks the kernel to reclaim the pages of each range that only this
    /// process maps, then returns the heap's free pages; the errno when the thread could not start.
    static func releaseLater(_ ranges: [(start: UInt, length: Int)], after delay: Duration) -> Int32? {
        let ranges = ranges.map { CLinux_Range(start: $0.start, length: $0.length) }
        let milliseconds = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
        let code = ranges.withUnsafeBufferPointer { CLinux_releaseLater($0.baseAddress, $0.count, milliseconds) }
        return code == 0 ? nil : code
    }

    /// An errno's text.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
