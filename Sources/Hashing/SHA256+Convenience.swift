extension SHA256 {
    /// The digest of `bytes`, in one call.
    package static func hash(_ bytes: some Collection<UInt8>) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest and length of the file at `path`, read in fixed-size chunks.
    ///
    /// Generated images and dropped photos can be large, so the file is streamed through a small
    /// buffer and never held in memory as a whole.
    ///
    /// - Throws: ``HashingError`` when the file cannot be opened or read.
    package static func hash(fileAtPath path: String) throws(HashingError) -> (digest: SHA256Digest, byteCount: Int) {
        let file = try ReadOnlyFile(path: path)
        var hasher = SHA256()
        var byteCount = 0
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = try file.readChunk(into: &buffer)
            if count == 0 { break }
            hasher.update(buffer[0..<count])
            byteCount += count
        }
        return (hasher.finalize(), byteCount)
    }

    /// How much of a file is read at a time.
    static let chunkSize = 64 * 1024
}
