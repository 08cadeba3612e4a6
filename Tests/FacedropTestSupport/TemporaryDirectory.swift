import Foundation

/// A fresh directory under the system temporary folder, removed when the value is released.
///
/// Tests create files freely inside it; nothing they write outlives the test.
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates a new, empty directory whose name starts with `prefix`.
    public init(prefix: String = "facedrop-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        let path = "\(base)/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    /// The path of `name` inside the directory.
    public func appending(_ name: String) -> String {
        "\(path)/\(name)"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
