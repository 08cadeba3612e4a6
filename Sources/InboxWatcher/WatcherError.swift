/// Why an ``InotifyWatcher`` could not start.
package struct WatcherError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, for code that reacts to it.
    package enum Code: Sendable, Equatable {
        /// libinotifytools is process-global: only one watcher may run at a time.
        case alreadyRunning
        /// `inotifytools_initialize` failed (for example EMFILE when `max_user_instances` is reached).
        case initializationFailed
        /// The inotify descriptor is 1024 or higher, where libinotifytools' `select()` would abort the
        /// process.
        case descriptorTooHigh
        /// The wake folder could not be created or watched.
        case wakeFolderUnusable
    }

    package var code: Code
    /// What went wrong, in words a person can act on.
    package var description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
