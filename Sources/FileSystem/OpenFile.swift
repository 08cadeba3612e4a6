import SystemPackage

/// A file kept open for reads and writes at offsets (a ring of records, a lock file); closed when the last
/// reference goes, which also releases a lock taken on it.
package final class OpenFile: Sendable {
    /// The file's path, for messages.
    package let path: String
    let descriptor: FileDescriptor

    init(path: String, descriptor: FileDescriptor) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { Syscalls.close(descriptor) }

    /// Up to `limit` bytes from `offset` (fewer at the end of the file).
    package func read(at offset: Int = 0, limit: Int) throws(FileSystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < limit {
            let result = bytes.withUnsafeMutableBytes { raw in
                Syscalls.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[total...]), at: offset + total)
            }
            switch result {
            case .success(0): return Array(bytes.prefix(total))
            case .success(let count): total += count
            case .failure(let code): throw FileSystemError("read", path: path, errno: code)
            }
        }
        return bytes
    }

    /// Writes all of `bytes` at `offset`.
    package func write(_ bytes: [UInt8], at offset: Int) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Syscalls.write(descriptor, UnsafeRawBufferPointer(rebasing: raw[done...]), at: offset + done)
            }
            switch result {
            case .success(0): throw FileSystemError("write", path: path, errno: .noSpace)
            case .success(let count): done += count
            case .failure(let code): throw FileSystemError("write", path: path, errno: code)
            }
        }
    }

    /// Cuts the file to `size` bytes.
    package func truncate(to size: Int) throws(FileSystemError) {
        if case .failure(let code) = Syscalls.truncate(descriptor, to: size) { throw FileSystemError("ftruncate", path: path, errno: code) }
    }

    /// Writes all of `bytes` at the current position (a file written from start to end, such as a download).
    package func append(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            switch Syscalls.write(descriptor, UnsafeRawBufferPointer(rebasing: bytes[done...])) {
            case .success(0): throw FileSystemError("write", path: path, errno: .noSpace)
            case .success(let count): done += count
            case .failure(let code): throw FileSystemError("write", path: path, errno: code)
            }
        }
    }

    /// Flushes the file's data to disk.
    package func sync() throws(FileSystemError) {
        if case .failure(let code) = Syscalls.sync(descriptor) { throw FileSystemError("fsync", path: path, errno: code) }
    }
}
