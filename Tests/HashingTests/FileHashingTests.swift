import Foundation
import Hashing
import Testing

@Suite("Hashing files")
struct FileHashingTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("facedrop-hash-\(UUID().uuidString)").path
    }

    @Test("A file larger than one chunk hashes like its bytes", arguments: [0, 1, 65_536, 200_003])
    func fileMatchesBytes(size: Int) throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 8) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let result = try SHA256.hash(fileAtPath: path)
        #expect(result.byteCount == size)
        #expect(result.digest == SHA256.hash(bytes))
    }

    @Test("A missing file is a typed error")
    func missingFile() {
        let path = temporaryPath()
        #expect(throws: HashingError.cannotOpen(path: path, errno: ENOENT)) {
            try SHA256.hash(fileAtPath: path)
        }
    }

    @Test("A directory cannot be read")
    func directory() throws {
        let path = temporaryPath()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: HashingError.readFailed(path: path, errno: EISDIR)) {
            try SHA256.hash(fileAtPath: path)
        }
        #expect(HashingError.readFailed(path: path, errno: EISDIR).description.contains(path))
    }
}
