/// One name in a folder, as `readdir` gives it.
package struct FolderEntry: Sendable, Equatable {
    /// The name's bytes: a Linux name is any bytes but `/` and NUL, not always UTF-8.
    package var bytes: [UInt8]
    /// From `d_type`; nil when the file system does not say (then ``Folder/status(_:)`` must).
    package var kind: FileStatus.Kind?

    package init(bytes: [UInt8], kind: FileStatus.Kind?) {
        self.bytes = bytes
        self.kind = kind
    }

    /// The name, or nil when its bytes are not valid UTF-8.
    package var name: String? { String(validating: bytes, as: UTF8.self) }
}
