import CInotifyTools
import FileSystem
import Glibc

// Every C call of the module lives in this file: libinotifytools and the inotify calls around it. Files and
// folders go through the FileSystem module. The rest of the module sees Swift values only.

// MARK: - Event masks

/// The inotify event bits, named after the kernel's `IN_*` constants.
struct InotifyMask: OptionSet, Sendable, Hashable {
    var rawValue: UInt32

    static let attributes = InotifyMask(rawValue: UInt32(IN_ATTRIB))
    static let closeWrite = InotifyMask(rawValue: UInt32(IN_CLOSE_WRITE))
    static let create = InotifyMask(rawValue: UInt32(IN_CREATE))
    static let delete = InotifyMask(rawValue: UInt32(IN_DELETE))
    static let deleteSelf = InotifyMask(rawValue: UInt32(IN_DELETE_SELF))
    static let moveSelf = InotifyMask(rawValue: UInt32(IN_MOVE_SELF))
    static let movedFrom = InotifyMask(rawValue: UInt32(IN_MOVED_FROM))
    static let movedTo = InotifyMask(rawValue: UInt32(IN_MOVED_TO))
    static let unmount = InotifyMask(rawValue: UInt32(IN_UNMOUNT))
    static let queueOverflow = InotifyMask(rawValue: UInt32(IN_Q_OVERFLOW))
    static let ignored = InotifyMask(rawValue: UInt32(IN_IGNORED))
    static let isDirectory = InotifyMask(rawValue: UInt32(IN_ISDIR))
    static let onlyDirectory = InotifyMask(rawValue: UInt32(IN_ONLYDIR))
    static let dontFollow = InotifyMask(rawValue: UInt32(IN_DONT_FOLLOW))
    static let excludeUnlinked = InotifyMask(rawValue: UInt32(IN_EXCL_UNLINK))
}

/// One inotify event, copied out of libinotifytools' static buffer before the next call overwrites it.
struct RawEvent: Sendable, Equatable {
    var wd: Int32
    var mask: InotifyMask
    var cookie: UInt32
    /// The entry's name in the watched folder, without the kernel's NUL padding; empty for the folder itself.
    var name: [UInt8]
}

// MARK: - libinotifytools

/// libinotifytools, one call per function. Only the watcher thread may call these: the library keeps its
/// descriptor, watch trees, error code and event buffer in process-wide statics.
enum Inotify {
    enum NextEvent: Sendable, Equatable {
        case event(RawEvent)
        case timeout
        case interrupted
        case failed(errno: Int32)
    }

    enum WatchResult: Sendable, Equatable {
        case watched(wd: Int32)
        case failed(errno: Int32)
    }

    /// Opens the library's inotify instance. Returns the errno on failure.
    static func initialize() -> Int32? {
        inotifytools_initialize() == 1 ? nil : inotifytools_error()
    }

    /// Closes the instance and frees the library's trees; `initialize()` may be called again afterwards.
    static func cleanup() {
        inotifytools_cleanup()
    }

    /// Adds (or updates) the watch on one folder and returns its wd.
    ///
    /// `inotifytools_watch_file` reports success but not the wd, and the library's filename lookup returns
    /// a dead wd once a folder of the same name was deleted and recreated (its records are never dropped).
    /// So the wd is read back from the kernel: `inotify_add_watch` on an inode that is already watched
    /// returns that watch's wd, and with the same mask it changes nothing. `descriptor` is the library's
    /// inotify fd (found through /proc); without it the library's lookup is the fallback.
    static func watch(_ path: String, mask: InotifyMask, descriptor: Int32?) -> WatchResult {
        let events = Int32(bitPattern: mask.rawValue)
        guard inotifytools_watch_file(path, events) == 1 else {
            let code = inotifytools_error()
            return .failed(errno: code == 0 ? EINVAL : code)
        }
        let wd: Int32
        if let descriptor {
            wd = inotify_add_watch(descriptor, path, mask.rawValue)
            // The folder went away between the two calls; the library's watch ends with IN_IGNORED.
            if wd < 0 { return .failed(errno: errno) }
        } else {
            wd = inotifytools_wd_from_filename(path.hasSuffix("/") ? path : path + "/")
        }
        return wd > 0 ? .watched(wd: wd) : .failed(errno: EINVAL)
    }

    /// Removes a live watch. The library prints to stderr when the kernel already dropped it.
    static func removeWatch(_ wd: Int32) {
        _ = inotifytools_remove_watch_by_wd(wd)
    }

    /// Waits up to `timeoutSeconds` (0 = poll) for one event. Always `n = 1`: a larger count makes the
    /// library spin on FIONREAD.
    static func nextEvent(timeoutSeconds: Int) -> NextEvent {
        guard let event = inotifytools_next_events(timeoutSeconds, 1) else {
            let code = inotifytools_error()
            switch code {
            case 0: return .timeout
            case EINTR: return .interrupted
            default: return .failed(errno: code)
            }
        }
        let header = event.pointee
        var name: [UInt8] = []
        if header.len > 0 {
            let bytes = UnsafeRawPointer(event).advanced(by: MemoryLayout<inotify_event>.size)
                .assumingMemoryBound(to: UInt8.self)
            let buffer = UnsafeBufferPointer(start: bytes, count: Int(header.len))
            name = Array(buffer.prefix { $0 != 0 })
        }
        return .event(RawEvent(wd: header.wd, mask: InotifyMask(rawValue: header.mask), cookie: header.cookie, name: name))
    }
}

// MARK: - Files and folders

/// The file layer as the watch loop and the scanner use it: results with this module's ``Errno``, and folder
/// entries with their display names.
enum FileSystem {
    struct Entry: Sendable, Equatable {
        /// The name, or nil when its bytes are not valid UTF-8.
        var name: String?
        /// The name for messages, invalid bytes escaped (``PathName/displayName(_:)``).
        var displayName: String
        /// From `d_type`; nil when the file system does not say (then `lstat` decides).
        var kind: FileStatus.Kind?
    }

    /// `lstat` (or `stat` when `follow` is set), or the errno.
    static func status(_ path: String, follow: Bool = false) -> Result<FileStatus, Errno> {
        do {
            guard let status = try Files.status(path, followingLinks: follow) else { return .failure(.noSuchFile) }
            return .success(status)
        } catch {
            return .failure(Errno(error))
        }
    }

    /// The entries of a folder except `.` and `..`, in the order `readdir` returns them.
    static func list(_ path: String) -> Result<[Entry], Errno> {
        do {
            return .success(
                try Files.entries(path).map { entry in
                    Entry(name: entry.name, displayName: PathName.displayName(entry.bytes), kind: entry.kind)
                }
            )
        } catch {
            return .failure(Errno(error))
        }
    }

    /// Creates a folder and any missing parents.
    static func makeFolders(_ path: String) -> Result<Void, Errno> {
        do { try Files.makeFolders(path) } catch { return .failure(Errno(error)) }
        return .success(())
    }

    /// Creates `path` (or truncates it), closes it and unlinks it: three inotify events in its folder.
    static func touchAndRemove(_ path: String) -> Result<Void, Errno> {
        do {
            _ = try Files.createForWriting(path)
            try Files.remove(path)
        } catch {
            return .failure(Errno(error))
        }
        return .success(())
    }

    /// The process's current folder, for turning a relative path absolute.
    static func currentFolder() -> String { Files.currentFolder() }

    /// The first line of a small text file (a /proc setting), or nil.
    static func readSetting(_ path: String) -> String? { Files.readSetting(path) }

    static func sleep(milliseconds: Int) {
        usleep(useconds_t(milliseconds * 1000))
    }
}

// MARK: - Descriptors

/// The inotify descriptors of the process, found through /proc because libinotifytools has no accessor.
enum InotifyDescriptors {
    /// Every open descriptor whose /proc/self/fd link reads `anon_inode:inotify`.
    static func current() -> Set<Int32> {
        guard case .success(let entries) = FileSystem.list("/proc/self/fd") else { return [] }
        var found: Set<Int32> = []
        for entry in entries {
            guard let name = entry.name, let fd = Int32(name), let target = Files.linkTarget("/proc/self/fd/\(name)") else { continue }
            if String(decoding: target, as: UTF8.self) == "anon_inode:inotify" { found.insert(fd) }
        }
        return found
    }

    /// Sets FD_CLOEXEC, so the descriptor does not leak into child processes.
    static func setCloseOnExec(_ fd: Int32) -> Result<Void, Errno> {
        do { try Files.setCloseOnExec(fd) } catch { return .failure(Errno(error)) }
        return .success(())
    }

    /// `select()` inside libinotifytools aborts the process for a descriptor at or above this.
    static let selectLimit = Int32(FD_SETSIZE)
}

// MARK: - Errors

/// An errno with its `strerror` text.
struct Errno: Error, Sendable, Equatable, CustomStringConvertible {
    var code: Int32

    init(_ code: Int32) { self.code = code }

    /// The errno of a failed file operation (EIO for a rule the file broke).
    init(_ error: FileSystemError) { self.code = error.code ?? EIO }

    static let noSuchFile = Errno(ENOENT)
    static let notFolder = Errno(ENOTDIR)
    static let noSpace = Errno(ENOSPC)

    var description: String { String(cString: strerror(code)) }
}
