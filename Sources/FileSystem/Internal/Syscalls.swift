import CLinux
import Glibc
import SystemPackage

// Every C call of the FileSystem module, each wrapped once, as swift-system's `Internals/Syscalls.swift` does.
// The rest of the module (and of facedrop) sees `FileDescriptor`, `Errno` and Swift values only.

/// Runs `body` until it does not fail with EINTR; its value, or the errno it failed with.
func valueOrErrno<T: FixedWidthInteger>(retryOnInterrupt: Bool = true, _ body: () -> T) -> Result<T, Errno> {
    while true {
        let value = body()
        if value != -1 { return .success(value) }
        let code = Errno(rawValue: errno)
        if retryOnInterrupt && code == .interrupted { continue }
        return .failure(code)
    }
}

/// The descriptor that names the current directory for the `*at` calls.
let currentDirectory = FileDescriptor(rawValue: AT_FDCWD)

enum Syscalls {
    static func open(_ path: String, relativeTo folder: FileDescriptor, flags: Int32, mode: mode_t = 0) -> Result<FileDescriptor, Errno> {
        valueOrErrno { CLinux_openat(folder.rawValue, path, flags | O_CLOEXEC, mode) }.map(FileDescriptor.init(rawValue:))
    }

    /// Blocks the calling thread for `duration` (the calls of this module run on dedicated threads).
    static func pause(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1, errno == EINTR { request = remaining }
    }

    static func close(_ descriptor: FileDescriptor) {
        _ = Glibc.close(descriptor.rawValue)
    }

    static func status(_ path: String, relativeTo folder: FileDescriptor, follow: Bool) -> Result<stat, Errno> {
        var info = stat()
        return valueOrErrno { fstatat(folder.rawValue, path, &info, follow ? 0 : AT_SYMLINK_NOFOLLOW) }.map { _ in info }
    }

    static func status(_ descriptor: FileDescriptor) -> Result<stat, Errno> {
        var info = stat()
        return valueOrErrno { fstat(descriptor.rawValue, &info) }.map { _ in info }
    }

    static func read(_ descriptor: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: Int? = nil) -> Result<Int, Errno> {
        valueOrErrno {
            if let offset { return pread(descriptor.rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
            return Glibc.read(descriptor.rawValue, buffer.baseAddress, buffer.count)
        }
    }

    static func write(_ descriptor: FileDescriptor, _ buffer: UnsafeRawBufferPointer, at offset: Int? = nil) -> Result<Int, Errno> {
        valueOrErrno {
            if let offset { return pwrite(descriptor.rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
            return Glibc.write(descriptor.rawValue, buffer.baseAddress, buffer.count)
        }
    }

    static func truncate(_ descriptor: FileDescriptor, to size: Int) -> Result<Void, Errno> {
        valueOrErrno { ftruncate(descriptor.rawValue, off_t(size)) }.map { _ in () }
    }

    static func sync(_ descriptor: FileDescriptor) -> Result<Void, Errno> {
        valueOrErrno { fsync(descriptor.rawValue) }.map { _ in () }
    }

    static func makeFolder(_ path: String, relativeTo folder: FileDescriptor, mode: mode_t) -> Result<Void, Errno> {
        valueOrErrno { mkdirat(folder.rawValue, path, mode) }.map { _ in () }
    }

    static func unlink(_ path: String, relativeTo folder: FileDescriptor, folderItself: Bool) -> Result<Void, Errno> {
        valueOrErrno { unlinkat(folder.rawValue, path, folderItself ? AT_REMOVEDIR : 0) }.map { _ in () }
    }

    static func rename(
        _ path: String,
        relativeTo folder: FileDescriptor,
        to newPath: String,
        relativeTo newFolder: FileDescriptor,
        noReplace: Bool
    ) -> Result<Void, Errno> {
        valueOrErrno {
            CLinux_renameat2(folder.rawValue, path, newFolder.rawValue, newPath, noReplace ? CLinux_RENAME_NOREPLACE : 0)
        }.map { _ in () }
    }

    static func link(_ path: String, relativeTo folder: FileDescriptor, to newPath: String, relativeTo newFolder: FileDescriptor) -> Result<Void, Errno> {
        valueOrErrno { linkat(folder.rawValue, path, newFolder.rawValue, newPath, 0) }.map { _ in () }
    }

    static func lock(_ descriptor: FileDescriptor) -> Result<Void, Errno> {
        valueOrErrno { flock(descriptor.rawValue, LOCK_EX | LOCK_NB) }.map { _ in () }
    }

    static func linkTarget(_ path: String) -> Result<[UInt8], Errno> {
        var buffer = [CChar](repeating: 0, count: 4096)
        return valueOrErrno { buffer.withUnsafeMutableBufferPointer { readlink(path, $0.baseAddress!, $0.count) } }
            .map { count in buffer[..<count].map { UInt8(bitPattern: $0) } }
    }

    static func setCloseOnExec(_ descriptor: Int32) -> Result<Void, Errno> {
        valueOrErrno { () -> Int32 in
            let flags = fcntl(descriptor, F_GETFD)
            guard flags >= 0 else { return -1 }
            return fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC)
        }.map { _ in () }
    }

    /// The entries of an open folder: name bytes and `d_type`. Takes over `descriptor` (closed by `closedir`).
    static func entries(_ descriptor: FileDescriptor) -> Result<[(name: [UInt8], type: UInt8)], Errno> {
        guard let directory = fdopendir(descriptor.rawValue) else {
            let code = Errno(rawValue: errno)
            close(descriptor)
            return .failure(code)
        }
        defer { closedir(directory) }
        var entries: [(name: [UInt8], type: UInt8)] = []
        var type: UInt8 = 0
        var name: UnsafePointer<CChar>?
        while true {
            switch CLinux_readdir(directory, &type, &name) {
            case 0:
                return .success(entries)
            case 1:
                let bytes = Array(UnsafeBufferPointer(start: name!, count: strlen(name!))).map { UInt8(bitPattern: $0) }
                if bytes != [0x2E] && bytes != [0x2E, 0x2E] { entries.append((bytes, type)) }
            default:
                if errno == EINTR { continue }
                return .failure(Errno(rawValue: errno))
            }
        }
    }

    static func hostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func currentFolder() -> String? {
        guard let buffer = getcwd(nil, 0) else { return nil }
        defer { free(buffer) }
        return String(cString: buffer)
    }

    static func describe(_ code: Errno) -> String {
        String(cString: strerror(code.rawValue))
    }

    static let kinds: [(mode: mode_t, type: UInt8, kind: FileStatus.Kind)] = [
        (S_IFREG, UInt8(DT_REG), .regular),
        (S_IFDIR, UInt8(DT_DIR), .directory),
        (S_IFLNK, UInt8(DT_LNK), .symbolicLink),
        (S_IFIFO, UInt8(DT_FIFO), .fifo),
        (S_IFSOCK, UInt8(DT_SOCK), .socket),
        (S_IFCHR, UInt8(DT_CHR), .characterDevice),
        (S_IFBLK, UInt8(DT_BLK), .blockDevice),
    ]

    static func kind(mode: mode_t) -> FileStatus.Kind {
        kinds.first { $0.mode == mode & S_IFMT }?.kind ?? .other
    }

    /// nil for `DT_UNKNOWN`: the file system does not say, `status` must.
    static func kind(entryType: UInt8) -> FileStatus.Kind? {
        entryType == UInt8(DT_UNKNOWN) ? nil : kinds.first { $0.type == entryType }?.kind ?? .other
    }

    static func snapshot(_ info: stat) -> FileStatus {
        FileStatus(
            kind: kind(mode: info.st_mode),
            size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changedNanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec),
            inode: UInt64(info.st_ino),
            device: UInt64(info.st_dev),
            linkCount: Int(info.st_nlink)
        )
    }
}

/// The open flags and errno values the module's Swift code names, so only this file sees Glibc.
enum Flags {
    static let readOnly = O_RDONLY
    static let readWrite = O_RDWR
    static let writeOnly = O_WRONLY
    static let create = O_CREAT
    static let exclusive = O_EXCL
    static let append = O_APPEND
    static let truncate = O_TRUNC
    static let noFollow = O_NOFOLLOW
    static let nonBlocking = O_NONBLOCK
    static let directory = O_DIRECTORY
}
