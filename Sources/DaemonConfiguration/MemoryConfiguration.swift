/// The `[memory]` table: what the daemon gives back while it waits.
///
/// Most of what a started daemon holds are clean pages of its own code, touched while it started or ran a job and
/// not again while it waits. Once no job has been in flight for `release_when_idle_after`, it hands them and its
/// heap's free pages back to the kernel; the few the next job needs are read back on first touch.
public struct MemoryConfiguration: Sendable, Hashable {
    /// How long no job must have been in flight before the daemon releases what it does not use
    /// (`release_when_idle_after`, seconds); nil (`0` in the file) never releases.
    public var releaseWhenIdleAfter: Duration?

    public init(releaseWhenIdleAfter: Duration? = Self.defaultReleaseWhenIdleAfter) {
        self.releaseWhenIdleAfter = releaseWhenIdleAfter
    }

    public static let defaultReleaseWhenIdleAfter: Duration = .seconds(30)
}
