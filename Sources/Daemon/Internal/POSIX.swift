import Glibc

/// The process calls of the Daemon module (its files go through the FileSystem module).
enum POSIX {
    /// `kill -9` of this process: nothing after this call runs.
    static func killSelf() -> Never {
        kill(getpid(), SIGKILL)
        while true { pause() }
    }
}
